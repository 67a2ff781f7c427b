import { render } from 'preact';
import { WithWords } from '../../components/language.tsx';
import { Frame } from '../../components/parts.tsx';
import { readBoot } from '../../shared/boot.ts';
import '../../styles.css';
import { CheckoutPage } from './page.tsx';

const root = document.getElementById('app');
if (root) {
  render(
    <WithWords boot={readBoot()} title="page.checkout">
      <Frame>
        <CheckoutPage />
      </Frame>
    </WithWords>,
    root,
  );
}
