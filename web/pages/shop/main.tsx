import { render } from 'preact';
import { WithWords } from '../../components/language.tsx';
import { Frame } from '../../components/parts.tsx';
import { readBoot } from '../../shared/boot.ts';
import '../../styles.css';
import { ShopPage } from './page.tsx';

const root = document.getElementById('app');
if (root) {
  render(
    <WithWords boot={readBoot()} title="page.shop">
      <Frame>
        <ShopPage />
      </Frame>
    </WithWords>,
    root,
  );
}
