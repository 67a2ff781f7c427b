/**
 * The reference page at `/docs`: Swagger UI (`@fastify/swagger-ui`), served
 * wholly by the hub under `docsContentSecurityPolicy` (scripts only from the
 * hub, none inline). Its Authorize dialog takes the three bearer schemes
 * (operator token, merchant key, checkout client secret) and "Try it out"
 * sends them; a participant's request needs a fresh RFC 9421 signature per
 * request, which no page can make with the participant's key, so that
 * scheme is described there and signed requests are sent with the guide.
 *
 * Swagger UI as shipped fails axe; `accessibility.js` and
 * `accessibility.css` mend what it renders, as it renders it: the main
 * landmark, heading levels that do not skip (its operations are h3 under the
 * h1 title), names for its selects, scrollable code that takes focus, and
 * contrast for its version stamps. No top bar: it is a URL box to explore
 * other documents, which this page does not need.
 */
import type { FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import { docsContentSecurityPolicy } from '../http/index.ts';

const accessibilityScript = `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  var names = { servers: 'Server' };
  function landmarks() {
    root.querySelectorAll('.information-container:not([role])').forEach(function (info) {
      info.setAttribute('role', 'banner');
    });
    root.querySelectorAll('.scheme-container:not([role])').forEach(function (schemes) {
      schemes.setAttribute('role', 'region');
      schemes.setAttribute('aria-label', 'Server and authorization');
    });
  }
  function nameSelects() {
    root.querySelectorAll('select:not([aria-label])').forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var own = label ? label.textContent.replace(select.textContent, '').trim() : '';
      if (own) return;
      var near = select.closest('[class*="content-type"], .response-control-examples, .examples-select');
      var named = names[select.id] || (near && near.className.indexOf('example') >= 0 ? 'Example' : null);
      select.setAttribute('aria-label', named || (select.className.indexOf('content-type') >= 0 ? 'Media type' : 'Choose'));
    });
  }
  // One level below the title for the operations' h3, and never more than one below the heading before.
  function levelHeadings() {
    var previous = 1;
    root.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach(function (heading) {
      var tag = Number(heading.tagName[1]);
      var level = tag === 1 ? 1 : Math.min(Math.max(tag - 1, 2), previous + 1);
      heading.setAttribute('aria-level', String(level));
      previous = level;
    });
  }
  function focusScrollables() {
    root.querySelectorAll('pre, .highlight-code, .table-container').forEach(function (block) {
      if (!block.hasAttribute('tabindex')) block.setAttribute('tabindex', '0');
    });
  }
  // A button's name starts with the words it shows; an icon-only one is named by what it does.
  function nameButtons() {
    root.querySelectorAll('button').forEach(function (button) {
      var shown = button.textContent.trim();
      var label = button.getAttribute('aria-label');
      if (!shown && !label && button.classList.contains('close-modal')) button.setAttribute('aria-label', 'Close');
      if (shown && label && label.toLowerCase().indexOf(shown.toLowerCase()) < 0)
        button.setAttribute('aria-label', shown + ' (' + label.toLowerCase() + ')');
    });
  }
  function mend() {
    landmarks();
    nameButtons();
    nameSelects();
    levelHeadings();
    focusScrollables();
  }
  // aria-label too: Swagger UI sets it again as it re-renders; mend sets only what differs, so it settles.
  new MutationObserver(mend).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
  mend();
})();
`;

/** Swagger UI's colours, darkened to a contrast of at least 4.5:1 against white (WCAG AA). */
const accessibilityStyle = `
.swagger-ui .info .title small { background: #4a5160; }
.swagger-ui .info .title small.version-stamp { background: #3d6b00; }
.swagger-ui .info .title small pre { color: #fff; }
.swagger-ui .info a, .swagger-ui .info .url, .swagger-ui a.nostyle, .swagger-ui .info__tos a { color: #1d5fa8; }
.swagger-ui .btn.authorize, .swagger-ui .btn.authorize span { color: #1e6b45; border-color: #1e6b45; }
.swagger-ui .btn.authorize svg { fill: #1e6b45; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1c64b0; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #1e6b45; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #9a4d00; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0d6b5b; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b3261e; }
.swagger-ui .json-schema-2020-12-expand-deep-button { color: #4a5160; }
`;

export const referencePageOptions: FastifySwaggerUiOptions = {
  routePrefix: '/docs',
  staticCSP: docsContentSecurityPolicy,
  uiConfig: {
    layout: 'BaseLayout',
    deepLinking: false,
    persistAuthorization: false,
    displayRequestDuration: true,
    validatorUrl: null,
    // Its highlighter's colours on its dark code blocks fall below 4.5:1; plain text does not.
    syntaxHighlight: false,
  },
  theme: {
    title: 'Lintas hub API reference',
    js: [{ filename: 'accessibility.js', content: accessibilityScript }],
    css: [{ filename: 'accessibility.css', content: accessibilityStyle }],
  },
};
