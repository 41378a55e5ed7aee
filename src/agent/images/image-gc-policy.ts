/**
 * The image garbage collection policy of the node agent: the kubelet's ImageGCPolicy
 * (pkg/kubelet/images/image_gc_manager.go) with the KubeletConfiguration defaults and validation
 * (pkg/kubelet/apis/config/validation/validation.go), under the kubelet's flag names.
 */
import { formatGoDuration, parseGoDuration } from '../../api/duration.js';

/** When and how far the agent removes unused images. */
export interface ImageGCPolicy {
  /** Disk usage (percent of the image filesystem) at or above which image GC runs (imageGCHighThresholdPercent). */
  highThresholdPercent: number;
  /** Usage GC frees down to (imageGCLowThresholdPercent). */
  lowThresholdPercent: number;
  /** An unused image younger than this (since first seen) is never removed (imageMinimumGCAge). */
  minAgeMs: number;
  /** An image unused this long is removed whatever the disk usage; 0 turns it off (imageMaximumGCAge). */
  maxAgeMs: number;
}

/** KubeletConfiguration defaults: 85 %, 80 %, 2m, 0 (off). */
export const DEFAULT_IMAGE_GC_POLICY: Readonly<ImageGCPolicy> = {
  highThresholdPercent: 85,
  lowThresholdPercent: 80,
  minAgeMs: 2 * 60_000,
  maxAgeMs: 0,
};

/** The kubelet's ImageGCPeriod: one GC pass every 5 minutes. */
export const IMAGE_GC_PERIOD_MS = 5 * 60_000;

/** Go's time.Duration String for whole milliseconds ('2m0s', '1h30m0s', '500ms', '0s'). */
export const formatDuration = formatGoDuration;

/**
 * The kubelet's configuration checks for the image GC fields, with its messages (empty: valid).
 * Unlike the GC manager itself (which accepts low == high), the configuration needs low < high;
 * high 100 with no maximum age turns image GC off.
 */
export function validateImageGCPolicy(p: ImageGCPolicy): string[] {
  const errs: string[] = [];
  const inRange = (v: number) => Number.isInteger(v) && v >= 0 && v <= 100;
  if (!inRange(p.highThresholdPercent)) {
    errs.push(`invalid configuration: imageGCHighThresholdPercent (--image-gc-high-threshold) ${p.highThresholdPercent} must be between 0 and 100, inclusive`);
  }
  if (!inRange(p.lowThresholdPercent)) {
    errs.push(`invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) ${p.lowThresholdPercent} must be between 0 and 100, inclusive`);
  }
  if (p.lowThresholdPercent >= p.highThresholdPercent) {
    errs.push(`invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) ${p.lowThresholdPercent} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) ${p.highThresholdPercent}`);
  }
  if (p.minAgeMs < 0) errs.push(`invalid configuration: imageMinimumGCAge ${formatDuration(p.minAgeMs)} must not be negative`);
  if (p.maxAgeMs < 0) errs.push(`invalid configuration: imageMaximumGCAge ${formatDuration(p.maxAgeMs)} must not be negative`);
  if (p.maxAgeMs > 0 && p.maxAgeMs <= p.minAgeMs) {
    errs.push(`invalid configuration: imageMaximumGCAge ${formatDuration(p.maxAgeMs)} must be greater than imageMinimumGCAge ${formatDuration(p.minAgeMs)}`);
  }
  return errs;
}

/** The kubelet starts no image GC when the high threshold is 100 and there is no maximum age. */
export function imageGCEnabled(p: ImageGCPolicy): boolean {
  return !(p.highThresholdPercent >= 100 && p.maxAgeMs === 0);
}

/** Flag value check for a threshold: a whole percent 0..100 (errors in the agent flag table's shape). */
export function parsePercentFlag(v: string): number | { error: string } {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 100 ? n : { error: 'must be a whole percent between 0 and 100, inclusive' };
}

/** Flag value check for a GC age: a Go duration ("2m", "1h30m", "90s", "0"), to milliseconds. */
export function parseDurationFlag(v: string): number | { error: string } {
  return parseGoDuration(v) ?? { error: 'must be a duration such as 2m, 1h30m or 0' };
}

/**
 * The image GC flags of `bosun agent` / `bosun server` as parsed (percent, percent, ms, ms; absent:
 * the default), checked together as the kubelet checks its configuration: the first error or null.
 */
export function imageGCFlagsError(f: { imageGcHighThreshold?: number; imageGcLowThreshold?: number; imageMinimumGcAge?: number; imageMaximumGcAge?: number }): string | null {
  return validateImageGCPolicy(imageGCPolicyFromFlags(f))[0] ?? null;
}

/** The policy the image GC flags give (absent ones: DEFAULT_IMAGE_GC_POLICY). */
export function imageGCPolicyFromFlags(f: { imageGcHighThreshold?: number; imageGcLowThreshold?: number; imageMinimumGcAge?: number; imageMaximumGcAge?: number }): ImageGCPolicy {
  const d = DEFAULT_IMAGE_GC_POLICY;
  return {
    highThresholdPercent: f.imageGcHighThreshold ?? d.highThresholdPercent,
    lowThresholdPercent: f.imageGcLowThreshold ?? d.lowThresholdPercent,
    minAgeMs: f.imageMinimumGcAge ?? d.minAgeMs,
    maxAgeMs: f.imageMaximumGcAge ?? d.maxAgeMs,
  };
}
