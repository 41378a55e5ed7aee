/**
 * Keyboard-first: `/` focuses the page's filter, `g` then a letter jumps to a page (g o overview,
 * g p pods, g d deployments, g s services, g n nodes, ...), `j`/`k` move the selection in lists and
 * Enter opens it, `y`/`l`/`x`/`m` pick the YAML, logs, terminal and metrics tabs, `?` shows the keys.
 * Keys typed into inputs are left alone (Escape leaves the input).
 */
import { go, listHref } from './router.js';

export const GOTO: Record<string, [string, string]> = {
  o: ['#/overview', 'overview'],
  p: [listHref('pods'), 'pods'],
  d: [listHref('deployments'), 'deployments'],
  t: [listHref('statefulsets'), 'statefulsets'],
  a: [listHref('daemonsets'), 'daemonsets'],
  r: [listHref('replicasets'), 'replicasets'],
  j: [listHref('jobs'), 'jobs'],
  s: [listHref('services'), 'services'],
  i: [listHref('ingresses'), 'ingresses'],
  c: [listHref('configmaps'), 'configmaps'],
  v: [listHref('persistentvolumeclaims'), 'volume claims'],
  n: [listHref('nodes'), 'nodes'],
  e: [listHref('events'), 'events'],
};

/** Listeners for list navigation keys (the list page registers one). */
type Nav = (key: 'j' | 'k' | 'Enter' | 'g' | 'G') => void;
let nav: Nav | undefined;
export const setListNav = (f: Nav | undefined): void => {
  nav = f;
};
let tabKeys: ((k: string) => boolean) | undefined;
export const setTabKeys = (f: ((k: string) => boolean) | undefined): void => {
  tabKeys = f;
};
let helpToggle: (() => void) | undefined;
export const setHelpToggle = (f: (() => void) | undefined): void => {
  helpToggle = f;
};

let pendingG = false;

export function installKeyboard(): () => void {
  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement | null;
    const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable || t.closest('.xterm'));
    if (typing) {
      if (e.key === 'Escape') t.blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (pendingG) {
      pendingG = false;
      const target = GOTO[e.key];
      if (target) {
        e.preventDefault();
        go(target[0]);
      }
      return;
    }
    if (e.key === 'g') {
      pendingG = true;
      setTimeout(() => (pendingG = false), 1500);
      return;
    }
    if (e.key === '/') {
      const f = document.querySelector<HTMLInputElement>('[data-filter]');
      if (f) {
        e.preventDefault();
        f.focus();
        f.select();
      }
      return;
    }
    if (e.key === '?') return helpToggle?.();
    if ((e.key === 'j' || e.key === 'k' || e.key === 'Enter' || e.key === 'G') && nav) {
      e.preventDefault();
      nav(e.key);
      return;
    }
    if (tabKeys?.(e.key)) e.preventDefault();
  };
  addEventListener('keydown', onKey);
  return () => removeEventListener('keydown', onKey);
}
