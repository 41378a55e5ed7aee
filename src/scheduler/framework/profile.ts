/**
 * A profile: which plugins run at each extension point, with score weights (upstream
 * KubeSchedulerProfile). Built from a registry, a plain map from plugin name to constructor.
 */
import {
  isBind, isFilter, isPostFilter, isPreBind, isPreFilter, isPreScore, isReserve, isScore,
  type AnyPlugin, type BindPlugin, type FilterPlugin, type PostFilterPlugin, type PreBindPlugin, type PreFilterPlugin,
  type PreScorePlugin, type ReservePlugin, type ScorePlugin,
} from './interface.js';

/** What constructors may need from the running scheduler (the API client for Bind, for instance). */
export interface PluginHandle {
  [dependency: string]: unknown;
}

export type PluginFactory = (args: Record<string, unknown>, handle: PluginHandle) => AnyPlugin;

/** Plugin name -> constructor. */
export type Registry = Record<string, PluginFactory>;

export interface PluginConfig {
  name: string;
  /** Weight of this plugin's score (default 1); ignored for plugins that do not score. */
  weight?: number;
  args?: Record<string, unknown>;
}

export interface ProfileConfig {
  schedulerName: string;
  /** Plugins in the order they run at every point they implement (upstream multiPoint). */
  plugins: PluginConfig[];
  /**
   * Percentage of nodes to check for feasibility before scoring; 0 means adaptive (upstream
   * default: 50% minus 1% per 125 nodes, at least 5%, at least 100 nodes).
   */
  percentageOfNodesToScore?: number;
}

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface Profile {
  schedulerName: string;
  percentageOfNodesToScore: number;
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  postFilter: PostFilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  reserve: ReservePlugin[];
  preBind: PreBindPlugin[];
  bind: BindPlugin[];
}

/** Instantiates every configured plugin once and files it under each point it implements. */
export function buildProfile(config: ProfileConfig, registry: Registry, handle: PluginHandle = {}): Profile {
  const profile: Profile = {
    schedulerName: config.schedulerName,
    percentageOfNodesToScore: config.percentageOfNodesToScore ?? 0,
    preFilter: [], filter: [], postFilter: [], preScore: [], score: [], reserve: [], preBind: [], bind: [],
  };
  for (const pc of config.plugins) {
    const factory = registry[pc.name];
    if (!factory) throw new Error(`plugin "${pc.name}" does not exist`);
    const p = factory(pc.args ?? {}, handle);
    if (isPreFilter(p)) profile.preFilter.push(p);
    if (isFilter(p)) profile.filter.push(p);
    if (isPostFilter(p)) profile.postFilter.push(p);
    if (isPreScore(p)) profile.preScore.push(p);
    if (isScore(p)) profile.score.push({ plugin: p, weight: pc.weight ?? 1 });
    if (isReserve(p)) profile.reserve.push(p);
    if (isPreBind(p)) profile.preBind.push(p);
    if (isBind(p)) profile.bind.push(p);
  }
  return profile;
}
