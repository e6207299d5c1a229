import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The environment of this process without any AWS credentials: credential and profile variables
 * removed, empty config and credentials files (written in `dir`), no instance metadata. A CLI run
 * with it must answer "no usable AWS credentials", never a stack.
 */
export function envWithoutCredentials(dir: string): NodeJS.ProcessEnv {
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|DEFAULT_PROFILE|CONTAINER_|WEB_IDENTITY|ROLE_)/.test(
        k,
      )
    )
      env[k] = v;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: empty,
    AWS_SHARED_CREDENTIALS_FILE: empty,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
