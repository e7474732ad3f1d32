/** The panel's sidebar icon: three modules and a reload arrow. */
import { LabIcon } from '@jupyterlab/ui-components';

const MODULES_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="3" y="3" width="8" height="8" rx="1.5"/>
    <rect x="13" y="3" width="8" height="8" rx="1.5"/>
    <rect x="3" y="13" width="8" height="8" rx="1.5"/>
    <path transform="translate(12 12) scale(0.5)" d="M17.65 6.35A7.96 7.96 0 0 0 12 4c-4.42 0-7.99 3.58-7.99 8s3.57 8 7.99 8c3.73 0 6.84-2.55 7.73-6h-2.08A5.99 5.99 0 0 1 12 18c-3.31 0-6-2.69-6-6s2.69-6 6-6c1.66 0 3.14.69 4.22 1.78L13 11h7V4l-2.35 2.35z"/>
  </g>
</svg>`;

/** The icon of the module panel. */
export const modulesIcon = new LabIcon({
  name: 'ipy-reimport:modules',
  svgstr: MODULES_SVG
});
