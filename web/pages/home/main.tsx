import { render } from 'preact';
import { WithWords, useWords } from '../../components/language.tsx';
import { Frame } from '../../components/parts.tsx';
import { readBoot } from '../../shared/boot.ts';
import '../../styles.css';

/** `GET /`: the pages this hub serves, and where a newcomer starts. */
function HomePage() {
  const { t } = useWords();
  return (
    <section class="card" aria-labelledby="home-title">
      <h1 id="home-title">{t('page.home')}</h1>
      <p>{t('home.intro')}</p>
      <ul class="pages">
        <li>
          <a href="/shop">{t('home.shop')}</a>
        </li>
        <li>
          <a href="/demo">{t('home.demo')}</a>
        </li>
        <li>
          <a href="/till">{t('home.till')}</a>
        </li>
        <li>{t('home.checkout')}</li>
        <li>{t('home.share')}</li>
        <li>
          <a href="/docs">{t('home.docs')}</a>
        </li>
        <li>
          <a href="/health">{t('home.health')}</a>
        </li>
      </ul>
    </section>
  );
}

const root = document.getElementById('app');
if (root) {
  render(
    <WithWords boot={readBoot()} title="page.home">
      <Frame>
        <HomePage />
      </Frame>
    </WithWords>,
    root,
  );
}
