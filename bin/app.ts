import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, loadConfigFile } from '../functions/core/config/load.ts';
import type { SentinelConfig } from '../functions/core/config/schema.ts';
import { addFleet } from '../lib/fleet.ts';

/** The config file: `-c sentinel:config=<path>` (cdk.json sets the default), else SENTINEL_CONFIG. */
function configPath(app: App): string {
  const fromContext: unknown = app.node.tryGetContext('sentinel:config');
  const path = process.env.SENTINEL_CONFIG || (typeof fromContext === 'string' ? fromContext : undefined);
  if (!path) {
    throw new ConfigError('cdk context', [
      'sentinel:config: found nothing (missing); expected a config file path (-c sentinel:config=<file> or SENTINEL_CONFIG=<file>)',
    ]);
  }
  return path;
}

const app = new App();
let config: SentinelConfig;
try {
  config = loadConfigFile(configPath(app));
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}

// One member stack per account, region and VPC, and the hub when the config names one
// (lib/fleet.ts); a config with one member and no hub is the single stack it always was.
try {
  addFleet(app, config);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
// cdk-nag's AwsSolutions pack checks every synth; each finding kept on purpose is acknowledged
// with its reason next to the construct (lib/nag.ts), and test/infra/nag.test.ts keeps it at zero.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
