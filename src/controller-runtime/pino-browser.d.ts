// pino's light build (pino/browser.js) has the Node build's API; its package ships types for the latter only.
declare module 'pino/browser.js' {
  import { pino } from 'pino';
  export default pino;
}
