/**
 * Preact with htm tagged templates: no JSX step, no compiler. Every interpolated value becomes a text
 * node or an attribute value set through the DOM: object fields can never become markup (nothing in
 * the console uses innerHTML or dangerouslySetInnerHTML).
 */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
