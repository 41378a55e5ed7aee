/** The web console's entry point (bundled into dist/console/app.js by scripts/bundle-console.mjs). */
import { render } from 'preact';
import { html } from './html.js';
import { App } from './views/app.js';

render(html`<${App} />`, document.getElementById('app')!);
