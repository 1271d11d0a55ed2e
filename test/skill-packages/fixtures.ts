/** A sample of what `sam list stack-outputs --output json` prints for template.yaml's stack, and OAuth settings. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { stackOutputs } from '../../scripts/skill-package';

export const SAMPLE_OUTPUTS_FILE = path.join(__dirname, 'stack-outputs.sample.json');
export const SAMPLE_OUTPUTS = stackOutputs(JSON.parse(readFileSync(SAMPLE_OUTPUTS_FILE, 'utf8')));

/** The environment variables account-linking.json is filled from. */
export const SAMPLE_ENV = {
  ACCOUNT_LINKING_AUTHORIZATION_URL: 'https://auth.example.com/authorize',
  ACCOUNT_LINKING_ACCESS_TOKEN_URL: 'https://auth.example.com/token',
  ACCOUNT_LINKING_CLIENT_ID: 'alexa-skills',
  ACCOUNT_LINKING_CLIENT_SECRET: 'not-a-real-secret',
  ACCOUNT_LINKING_SCOPES: 'openid, offline_access,rides',
  ACCOUNT_LINKING_DOMAINS: 'cdn.auth.example.com',
};
