/**
 * Fastify compiles a serializer for every status of every route's response schema when the hub starts
 * (fast-json-stringify's code generation), most of them the same few schemas: every route's problem answers
 * alone are the one Problem schema. Each distinct schema is compiled once, and only when an answer first
 * needs it, so a start does not pay for routes that are not called (a few ms on a route's first answer).
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type RouteSerializer = ReturnType<ReturnType<SerializerFactory>>;

export const buildSharedSerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  const compiled = new Map<string, RouteSerializer>();
  return (route) => {
    const key = JSON.stringify(route.schema);
    let serializer = compiled.get(key);
    if (serializer === undefined) {
      let built: RouteSerializer | undefined;
      serializer = (data) => {
        built ??= compile(route);
        return built(data);
      };
      compiled.set(key, serializer);
    }
    return serializer;
  };
};
