/** Constants the CLI needs before it loads the state module (which loads zod). */
export const DEFAULT_STATE_FILE = 'okta-aws-sso.state.json';
