import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/core/config/parse.ts';
import { loadDeployedConfig } from '../../../functions/shared/runtime.ts';
import { configDefine } from '../../../lib/bundling/options.ts';
import { twoClusterInput } from '../../infra/helpers.ts';

describe('loadDeployedConfig', () => {
  it('reads back exactly the config the synth validated and compiled in', () => {
    const config = parseConfig(twoClusterInput());
    // the define is a JavaScript string literal holding the JSON, as esbuild substitutes it
    const compiled = JSON.parse(configDefine(config)) as string;
    expect(loadDeployedConfig(compiled)).toEqual(config);
  });

  it('names the variable when the function was bundled without a config', () => {
    expect(() => loadDeployedConfig('')).toThrow(/SENTINEL_CONFIG_JSON is not set/);
  });

  it('refuses JSON that is not a validated config', () => {
    expect(() => loadDeployedConfig('{"clusters":"x"}')).toThrow(/does not hold a validated configuration/);
    expect(() => loadDeployedConfig('null')).toThrow(/does not hold a validated configuration/);
  });
});
