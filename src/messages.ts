/**
 * Every message and error of okta-aws-sso, by stable code: its level, its exit code (errors), a text
 * template and a hint template (`{name}` is filled from the data). The model is the AWS CDK CLI's
 * io-host: `--json` exposes the codes, docs/messages.md lists every code (test/messages.test.ts keeps
 * the docs, this registry and the codes used in src/ in sync), and tests assert codes, not wording.
 *
 * The lowest layer: it imports nothing. Errors keep their message text where they are raised; the
 * template here documents it and is what new code uses (see messageText). Every info, warn and debug
 * line, every spinner text (level `progress`) and every line a command ends with (TextBlock, level
 * `result` or `info`) is coded: free text does not compile (see src/core/io.ts, src/cli/render.ts).
 */

/**
 * `progress`: a spinner's text while a step runs (its start and outcome are records; the redrawn
 * updates are not kept). `result`: what a command ends with (the closing lines).
 */
export type MessageLevel = 'error' | 'warn' | 'info' | 'result' | 'progress' | 'debug';

export interface MessageSpec {
  level: MessageLevel;
  /** Errors: the exit code (0 ok, 1 step failed, 2 usage, 3 waiting for console, 4 auth, 130 interrupted). */
  exitCode?: 1 | 2 | 3 | 4 | 130;
  text: string;
  hint?: string;
}

export const MESSAGES = {
  ACCESS_ACCOUNT_UNKNOWN: { level: 'error', exitCode: 2, text: "{at}: the account(s) {ids} are not in the organization.", hint: "Fix the IDs in the access file (AWS console > AWS Organizations > AWS accounts lists them); nothing was sent." },
  ACCESS_APPLY_FAILED: { level: 'error', exitCode: 1, text: "{count} account assignment change(s) failed: {failed}.", hint: "Fix the causes named above, then run `okta-aws-sso access apply` again: what is done is kept and only the rest is planned." },
  ACCESS_CONFIRM: { level: 'error', exitCode: 2, text: "--prune-unmanaged removes assignments okta-aws-sso did not make: it needs a typed confirmation.", hint: "Run `access plan --prune-unmanaged -f {file}` to see what would go, then add `--confirm {instanceId}`." },
  ACCESS_FILE_EXISTS: { level: 'error', exitCode: 2, text: "{file} exists.", hint: "Pass --force to overwrite it, or give another -f <file>." },
  ACCESS_FILE_INVALID: { level: 'error', exitCode: 2, text: "The access file {file} is not valid (nothing was sent): {problems}", hint: "Fix each line named above, then run again (the format: docs/access.md)." },
  ACCESS_FILE_UNREADABLE: { level: 'error', exitCode: 2, text: "Cannot read the access file {file}: {reason}.", hint: "Check the path given to -f (write one with `okta-aws-sso access export -f <file>`)." },
  ACCESS_GROUP_MISSING: { level: 'error', exitCode: 1, text: "The group \"{name}\" is not in Identity Center, and this setup has no Okta app to push it with.", hint: "Run `okta-aws-sso init` to finish the setup (the group push step), or push the group from Okta first, then run again." },
  APPROVAL_NEEDED: { level: 'error', exitCode: 2, text: "This run needs your approval: {message}", hint: "Run it again with --yes to approve, or run it in a terminal to answer the question." },
  ASSIGNMENTS_FAILED: { level: 'error', exitCode: 1, text: "{failedCount} of {total} account assignment(s) failed: {failed}.", hint: "Fix the causes named above (a suspended or closing account, an IAM role quota, missing IAM rights in the account), then run again: only the failed and unfinished accounts are retried." },
  AUTH: { level: 'error', exitCode: 4, text: "Okta refused the OAuth token request for the service app (HTTP {status}).", hint: "Check --okta-org-url and your network, then run again." },
  AWS_ACCESS_DENIED: { level: 'error', exitCode: 4, text: "AWS denied {what}: {msg}", hint: "Give the caller the IAM permission {action} (see docs/aws.md for the full list), or run the wizard as the management account or the Identity Center delegated administrator." },
  AWS_ACCOUNT_ID: { level: 'error', exitCode: 2, text: "Not an AWS account ID: {ids}.", hint: "Account IDs have 12 digits; give them comma separated to --accounts." },
  AWS_ACCOUNT_UNKNOWN: { level: 'error', exitCode: 2, text: "These accounts are not in the organization {organizationId}: {ids}.", hint: "Check the IDs (AWS console > AWS Organizations > AWS accounts), or omit --accounts to assign every active account." },
  AWS_CREDENTIALS: { level: 'error', exitCode: 4, text: "AWS rejected the credentials while {what}: {msg}", hint: "Refresh the credentials (e.g. `aws sso login --profile <name>`) and run again; what is done so far is kept." },
  AWS_CREDENTIALS_EXPIRED: { level: 'error', exitCode: 4, text: "The AWS credentials have expired.", hint: "Refresh them ({login}, or new temporary credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and run again." },
  AWS_ERROR: { level: 'error', exitCode: 1, text: "AWS failed while {what}: {reason}", hint: "Run again; what is done is kept (a permission set that was created is adopted)." },
  AWS_INSTANCE_NOT_ACTIVE: { level: 'error', exitCode: 1, text: "The Identity Center instance {instanceArn} is {status}{reason}.", hint: "Wait until it is ACTIVE (AWS console > IAM Identity Center > Settings), then run again." },
  AWS_INSTANCE_UNKNOWN: { level: 'error', exitCode: 2, text: "The instance {arn} is not among the instances in {foundIn}: {instances}.", hint: "Give --instance-arn one of the ARNs listed, or omit it." },
  AWS_NO_CREDENTIALS: { level: 'error', exitCode: 4, text: "No AWS credentials were found.", hint: "Pass --profile <name> (a profile from ~/.aws/config, e.g. after `aws sso login`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for the management or delegated administrator account." },
  AWS_NO_INSTANCE: { level: 'error', exitCode: 1, text: "No IAM Identity Center instance was found." },
  AWS_NO_ORGANIZATION: { level: 'error', exitCode: 1, text: "The account {accountId} is not part of an AWS Organization.", hint: "Identity Center for workforce access needs an organization: create one in AWS Organizations (with all features) and run the wizard from its management account." },
  AWS_ORG_FEATURES: { level: 'error', exitCode: 1, text: "The organization {organizationId} has only consolidated billing enabled (FeatureSet {featureSet}); Identity Center needs all features.", hint: "Enable all features: AWS console > AWS Organizations > Settings > \"Enable all features\" (every member account must approve), then run again." },
  AWS_OU_ID: { level: 'error', exitCode: 2, text: "\"{ou}\" is not an OU ID.", hint: "An OU ID looks like ou-ab12-cdef3456 (or r-ab12 for the root); see AWS Organizations > AWS accounts." },
  AWS_OU_UNKNOWN: { level: 'error', exitCode: 2, text: "The OU {ouId} does not exist in this organization.", hint: "Check --ou (an ID like ou-ab12-cdef3456, or r-ab12 for the root)." },
  AWS_PROFILE: { level: 'error', exitCode: 4, text: "The AWS profile \"{profile}\" gave no usable credentials: {msg}", hint: "Check the profile name in ~/.aws/config (`aws configure list-profiles`), or omit --profile to use the default credential chain." },
  AWS_PROVISION_FAILED: { level: 'error', exitCode: 1, text: "Provisioning the permission set failed: {reason}.", hint: "Fix the cause named above (often an IAM quota or a policy the account cannot hold), then run again; the wizard provisions again." },
  AWS_PROVISION_TIMEOUT: { level: 'error', exitCode: 1, text: "Provisioning the permission set did not finish within {seconds} s (request {requestId}).", hint: "Check IAM Identity Center > Permission sets > the set > Accounts for its status, then run again." },
  AWS_REGION_MISMATCH: { level: 'error', exitCode: 2, text: "--region is {given}, but the Identity Center home region is {region}.", hint: "Every write must go to the home region: pass --region {region}, or omit --region." },
  AWS_SSO_EXPIRED: { level: 'error', exitCode: 4, text: "The AWS SSO session{ofProfile} has expired or was never started.", hint: "Run `{login}` and start the wizard again; what is done so far is kept." },
  AWS_UNREACHABLE: { level: 'error', exitCode: 1, text: "Could not reach AWS while {what} ({code}).", hint: "Check the network connection, proxy settings and AWS_ENDPOINT_URL if you set it; then run again." },
  CONFIG_INVALID: { level: 'error', exitCode: 2, text: "The --config file {file} is not valid: {reason}", hint: "Fix the syntax; keys are the answer names or flag names without \"--\", e.g. okta-org-url: https://example.okta.com" },
  CONFIG_SECRET: { level: 'error', exitCode: 2, text: "The config file holds the secret \"{key}\"; secrets never go in config files.", hint: "Remove it and supply it through {variable} or {prompt}." },
  CONFIG_UNKNOWN_KEY: { level: 'error', exitCode: 2, text: "The config file has an unknown answer \"{key}\".", hint: "Use the names of the command-line flags without \"--\" (see okta-aws-sso init --help)." },
  CONFIG_UNREADABLE: { level: 'error', exitCode: 2, text: "Cannot read the --config file {file} ({reason}).", hint: "Check the path given to --config." },
  DECLINED: { level: 'error', exitCode: 2, text: "Stopped: the group \"{name}\" was not created.", hint: "Run again and approve, or create the group in Okta first." },
  DESTROY_ADOPTED_KIND: { level: 'error', exitCode: 2, text: "--include-adopted names \"{raw}\", which is not a kind of object the wizard adopts.", hint: "Name one or more of: {kinds} (comma separated), e.g. --include-adopted permission-set,groups." },
  DESTROY_CONFIRM_MISMATCH: { level: 'error', exitCode: 2, text: "\"{given}\" is not the Identity Center instance id of this setup; nothing was removed.", hint: "Type the instance id shown in the plan ({instanceId}), e.g. `okta-aws-sso destroy --yes --confirm {instanceId}`." },
  DESTROY_CONFIRM_NEEDED: { level: 'error', exitCode: 2, text: "destroy removes what the setup created and needs the Identity Center instance id ({instanceId}) typed to confirm; nothing was removed.", hint: "Run it in a terminal and type the id when asked, or pass `--yes --confirm {instanceId}` (see the plan with --dry-run first)." },
  DESTROY_DONE: { level: 'result', text: "Removed {count} item(s) the setup created from {instanceId}." },
  DESTROY_NOTHING_RECORDED: { level: 'error', exitCode: 2, text: "The state file records no Identity Center instance: the setup never got past preflight, so there is nothing the wizard created.", hint: "Point --state at the state file of the setup to remove (default ./okta-aws-sso.state.json)." },
  DESTROY_UNASSIGN_FAILED: { level: 'error', exitCode: 1, text: "{failed} of {total} account assignment(s) could not be deleted: {reasons}.", hint: "Fix the cause named above, then run `okta-aws-sso destroy` again: only what is left is removed." },
  DRIFT: { level: 'error', exitCode: 1, text: "Drift found in {steps} (see above).", hint: "Run `okta-aws-sso resume` to repair it (each drifted step is re-applied), then verify again." },
  GROUP_BOTH_ASSIGNED_AND_PUSHED: { level: 'error', exitCode: 2, text: "\"{assignment}\" is both the assignment group and a push group; Okta does not support using one group for both (pushes race with assignments).", hint: "Use separate groups, e.g. --assignment-group \"AWS Users\" --push-groups awsssoPowerUsers." },
  GROUP_NOT_OKTA: { level: 'error', exitCode: 2, text: "The group \"{name}\" is a {type} group (imported from a directory or built in), so Okta cannot manage its members here.", hint: "Choose another name for the wizard\\'s group." },
  GROUP_NOT_PUSHED: { level: 'error', exitCode: 1, text: "The pushed group \"{name}\" has not arrived in the Identity Center identity store {identityStoreId}." },
  IDP_CERT_EXPIRED: { level: 'error', exitCode: 1, text: "The Okta signing certificate ({sha256Fingerprint}) expired on {notAfter}; Identity Center would reject every sign-in.", hint: "In the Okta Admin Console open the app > Sign On > SAML Signing Certificates, generate a new certificate and make it active, then run again." },
  IDP_CERT_NOT_YET_VALID: { level: 'error', exitCode: 1, text: "The Okta signing certificate is not valid before {notBefore}.", hint: "Check the clock of this machine, or activate a certificate that is already valid (Sign On > SAML Signing Certificates)." },
  IDP_METADATA_INVALID: { level: 'error', exitCode: 1, text: "The IdP metadata from Okta {message}.", hint: "Check the app in the Okta Admin Console (Sign On tab > SAML Signing Certificates: one must be Active), then run again." },
  INTERRUPTED: { level: 'error', exitCode: 130, text: "Interrupted.", hint: "Run `okta-aws-sso resume` to continue; the state is saved." },
  INVALID_ANSWER: { level: 'error', exitCode: 2, text: "Invalid answer: {message}. Nothing was changed." },
  INVALID_GROUP_NAME: { level: 'error', exitCode: 2, text: "The group name \"{name}\" is not valid: {reason}.", hint: "Give valid names with --assignment-group and --push-groups." },
  INVALID_SECRET: { level: 'error', exitCode: 2, text: "The value from {source} is not valid: {problem}", hint: "Fix the value in {source}." },
  MISSING_ANSWER: { level: 'error', exitCode: 2, text: "Missing answer in a non-interactive run: {what}.", hint: "Supply it with {how}." },
  NOT_BUILT: { level: 'error', exitCode: 1, text: "The step \"{stepId}\" is not built yet in this version of okta-aws-sso, so the run stops here.", hint: "Nothing was changed by this step. Upgrade okta-aws-sso, or complete this part in the consoles by hand." },
  NOT_CONTINUED: { level: 'error', exitCode: 2, text: "Not continuing the setup in {file}; nothing was changed.", hint: "To start a separate setup, pass --state <another file>; to start over, move the state file aside first." },
  NO_COMMAND: { level: 'error', exitCode: 2, text: "No command given.", hint: "Give a command: init, resume, verify, status or sandbox start|stop|status|reset|console (okta-aws-sso --help lists them)." },
  NO_PASSWORD: { level: 'error', exitCode: 2, text: "No password was given for the test user.", hint: "Type one, or let the wizard generate it." },
  NO_PUSH_GROUP: { level: 'error', exitCode: 2, text: "At least one push group is needed.", hint: "Pass --push-groups awsssoPowerUsers (or your own names)." },
  NO_STATE: { level: 'error', exitCode: 2, text: "There is no state file at {file}, so there is nothing to {kind}.", hint: "Run `okta-aws-sso init` to start the setup (or pass --state <file> to point at yours)." },
  OKTA_POLICY_NOT_KEPT: { level: 'error', exitCode: 1, text: "Okta did not keep the app sign-in policy: {what}.", hint: "In the Okta Admin Console open Security > Authentication Policies > \"{policyName}\": check its rule asks for two factors and that \"{appLabel}\" is listed under Applications; then run again." },
  OKTA_APP_GONE: { level: 'error', exitCode: 1, text: "The Okta app {appId} from the okta-app step no longer exists.", hint: "Run `okta-aws-sso init` again so the okta-app step re-creates it." },
  OKTA_APP_NOT_FOUND: { level: 'error', exitCode: 2, text: "There is no {appName} app with the ID \"{id}\" in this Okta org." },
  OKTA_APP_NO_SIGNING_KEY: { level: 'error', exitCode: 1, text: "The Okta app {app} has no active SAML signing key.", hint: "In the Okta Admin Console open the app > Sign On > SAML Signing Certificates, generate a certificate and activate it, then run again." },
  OKTA_APP_OTHER_INSTANCE: { level: 'error', exitCode: 2, text: "The Okta app {app} serves another IAM Identity Center (ACS URL {acsUrl}, entity ID {entityId}), not this one (ACS URL {ourAcsUrl}); adopting it would take sign-in away from that organization.", hint: "Pass --okta-app-id with an app of this instance, or drop --okta-app-id: the wizard creates an app for this instance." },
  OKTA_APP_SETTINGS_NOT_KEPT: { level: 'error', exitCode: 1, text: "Okta did not keep the SAML settings of the app after it was {what}: {settings}.", hint: "Set them in the Okta Admin Console (app > Sign On > Edit > Advanced Sign-on Settings: \"IAM Identity Center ACS URL\" and \"IAM Identity Center issuer URL\"), then run again." },
  OKTA_APP_VANISHED: { level: 'error', exitCode: 1, text: "The Okta app {id} disappeared right after it was {what}.", hint: "Someone may have deleted it; run again to create it." },
  OKTA_AUTH_MODE: { level: 'error', exitCode: 2, text: "Unknown Okta authentication mode \"{mode}\".", hint: "Use --okta-auth ssws (API token) or --okta-auth oauth (service app with a private key)." },
  OKTA_BAD_RESPONSE: { level: 'error', exitCode: 1, text: "Okta answered {method} {path} with something that is not JSON.", hint: "Check that --okta-org-url is your Okta org (https://<org>.okta.com), not a proxy or a login page." },
  OKTA_KEY_INVALID: { level: 'error', exitCode: 2, text: "The Okta service app's private key could not be used ({problem}).", hint: "Give an RSA or EC private key as PEM (-----BEGIN PRIVATE KEY-----) or as a JWK with its private members, through --okta-private-key-file." },
  OKTA_KEY_MISSING: { level: 'error', exitCode: 2, text: "No private key for the Okta service app was given.", hint: "Pass --okta-private-key-file <file> or set OKTA_CLIENT_PRIVATEKEY." },
  OKTA_ORG_URL_INSECURE: { level: 'error', exitCode: 2, text: "The Okta org URL must use https, not {scheme} (\"{value}\").", hint: "Use https://<your-org>.okta.com (plain http is only accepted for a local sandbox on 127.0.0.1)." },
  OKTA_ORG_URL_INVALID: { level: 'error', exitCode: 2, text: "The Okta org URL \"{value}\" is not a URL.", hint: "Give the full address of your org, e.g. --okta-org-url https://example.okta.com" },
  OKTA_PROVISIONING_FEATURES: { level: 'error', exitCode: 1, text: "Provisioning of \"{label}\" is on, but {problems}.", hint: "In the Okta Admin Console open \"{label}\" > Provisioning > To App > Edit: enable Create Users, Update User Attributes and Deactivate Users, keep Sync Password off, Save; then run again." },
  OKTA_PROVISIONING_NOT_ENABLED: { level: 'error', exitCode: 1, text: "The provisioning connection of \"{label}\" is {status}, not ENABLED.", hint: "Repeat the console action (Provisioning > Configure API Integration > Enable API Integration, Test API Credentials, Save), then run `okta-aws-sso resume`." },
  OKTA_SCOPES_MISSING_POLICIES: { level: 'error', exitCode: 2, text: "--require-mfa sets the app's sign-in policy, but the OAuth scopes given lack {lacking}.", hint: "Grant okta.policies.manage and okta.policies.read to the service app (Okta API Scopes tab) and add them to {where}, or leave out --require-mfa." },
  OKTA_SDK_CONFIG: { level: 'error', exitCode: 2, text: "The Okta SDK could not start: {reason}", hint: "Check ./okta.yaml and ~/.okta/okta.yaml (remove or fix them), and the OKTA_CLIENT_* environment variables." },
  OKTA_TEST_USER_INACTIVE: { level: 'error', exitCode: 1, text: "The Okta user {login} ({id}) already exists but is {status}, so Okta would not provision it to Identity Center." },
  OKTA_TOKEN_MISSING: { level: 'error', exitCode: 2, text: "No Okta API token was given.", hint: "Set OKTA_API_TOKEN or pass --okta-token-file <file>." },
  OKTA_UNREACHABLE: { level: 'error', exitCode: 1, text: "Could not reach Okta for an OAuth token ({code}).", hint: "Check --okta-org-url and your network, then run again." },
  OKTA_YAML_INVALID: { level: 'error', exitCode: 2, text: "{file} is not valid YAML ({reason}).", hint: "Fix or remove the file, or give the Okta settings with --okta-org-url and OKTA_API_TOKEN." },
  PLAN_INVALID: { level: 'error', exitCode: 1, text: "The test-user plan had neither a create nor an adopt change.", hint: "Run again; if it persists, please report it." },
  PLAN_STALE: { level: 'error', exitCode: 1, text: "The permission set \"{name}\" was created by someone else after this run planned; nothing else was changed.", hint: "Run again: the new plan adopts it (see --dry-run for what it would change)." },
  PAYLOAD_INVALID: { level: 'error', exitCode: 2, text: "Cannot read the --payload-file {file}: {reason}", hint: "Give a file with a JSON object." },
  ROTATE_CONTINUE: { level: 'info', text: "Continuing the rotation of the {kind} started {startedAt}:" },
  ROTATE_DONE: { level: 'result', text: "The rotation of the {kind} is complete." },
  ROTATE_NOT_SET_UP: { level: 'error', exitCode: 2, text: "This setup has no {what} yet.", hint: "Finish the setup first: `okta-aws-sso resume` (or `okta-aws-sso init`)." },
  ROTATE_PLAN: { level: 'info', text: "Rotation of the {kind}: the plan (nothing is changed before you approve it):" },
  ROTATE_PUSH_NOT_SEEN: { level: 'error', exitCode: 1, text: "The change of {login} did not arrive in the identity store within {seconds} s {when}.", hint: "Check the Okta app > Provisioning > Integration (API Token = the new token, Test API Credentials, Save); do not delete the old token until this passes; then run the same rotate command again." },
  ROTATE_TOKEN_AMBIGUOUS: { level: 'error', exitCode: 2, text: "{variable} is set and the new token is also given another way: the environment variable would win, and it may hold the old token.", hint: "Give the new token one way only: unset {variable} and keep --scim-token-file, or put the new token in {variable} alone." },
  ROTATE_SIGN_IN_FAILED: { level: 'error', exitCode: 1, text: "The sign-in with the new key failed: {rows}.", hint: "Upload the new metadata in Identity Center if it is not there and run `okta-aws-sso rotate saml-cert` again; to go back, activate the old certificate in Okta (app > Sign On > SAML Signing Certificates)." },
  ROTATE_SWITCH_FAILED: { level: 'error', exitCode: 1, text: "Okta still signs with {kid} after the switch to {newKid}.", hint: "In the Okta Admin Console open the app > Sign On > SAML Signing Certificates and activate the new certificate, then run the rotation again." },
  SANDBOX_CONFLICT: { level: 'error', exitCode: 2, text: "--sandbox runs against the local sandbox, but {source} points at \"{value}\".", hint: "Drop {source} for a sandbox run, or drop --sandbox to run against your real {org}." },
  SANDBOX_FILE_NAME: { level: 'error', exitCode: 2, text: "The sandbox returned a file with an unsafe name (\"{name}\").", hint: "This is a sandbox bug; nothing was written." },
  SANDBOX_NOT_RUNNING: { level: 'error', exitCode: 2, text: "No sandbox is running in {dir}.", hint: "Start one with `okta-aws-sso sandbox start`." },
  SCIM_NOT_FOUND: { level: 'error', exitCode: 2, text: "The SCIM endpoint {endpoint} answered 404: the path is wrong.", hint: "Copy the SCIM endpoint exactly as shown (it ends in /scim/v2) and give it without a trailing slash." },
  SCIM_PROBE_FAILED: { level: 'error', exitCode: 1, text: "The SCIM endpoint answered {status} to the probe." },
  SCIM_TOKEN_MISSING: { level: 'error', exitCode: 2, text: "The Identity Center SCIM access token is needed to configure Okta provisioning.", hint: "Set SCIM_TOKEN or pass --scim-token-file <file>." },
  SCIM_UNAUTHORIZED: { level: 'error', exitCode: 4, text: "The SCIM endpoint refused the access token (401 Unauthorized): the token is wrong, expired or revoked, or the endpoint belongs to another tenant.", hint: "In IAM Identity Center > Settings > Automatic provisioning > Manage provisioning, generate a new access token (at most two exist at a time), copy the SCIM endpoint and the token from the same page, and give them again (SCIM_TOKEN or --scim-token-file)." },
  SCIM_UNREACHABLE: { level: 'error', exitCode: 1, text: "Could not reach the SCIM endpoint {endpoint} ({reason}).", hint: "Check the endpoint (copy it again from IAM Identity Center > Settings > Automatic provisioning) and the network or proxy, then run again." },
  SECRET_FILE_EMPTY: { level: 'error', exitCode: 2, text: "The {fileFlag} file \"{file}\" is empty.", hint: "Put the value in the file, on one line." },
  SECRET_FILE_UNREADABLE: { level: 'error', exitCode: 2, text: "Cannot read {fileFlag} file \"{file}\" ({code}).", hint: "Check the path and its permissions, or supply the value through {prompt}." },
  SETUP_INCOMPLETE: { level: 'error', exitCode: 1, text: "The setup is not finished: the step \"{id}\" is {status}.", hint: "Run `okta-aws-sso resume` to finish the setup, then verify." },
  SP_METADATA_INVALID: { level: 'error', exitCode: 2, text: "{what} has no EntityDescriptor, so it is not SAML metadata.", hint: "Download it from IAM Identity Center > Settings > Identity source > Actions > Change identity source > External identity provider > \"Download metadata file\"." },
  SP_METADATA_MISMATCH: { level: 'error', exitCode: 2, text: "The SP metadata file \"{file}\" does not belong to this Identity Center instance: {problem}.", hint: "Download the metadata of the instance {instanceArn} (home region {region}) and pass that file." },
  SP_METADATA_NO_ACS: { level: 'error', exitCode: 2, text: "{what} lists no Identity Center ACS URL{found}.", hint: "Use the service-provider metadata of IAM Identity Center (not the IdP metadata from Okta), downloaded from Settings > Identity source." },
  SP_METADATA_REGION: { level: 'error', exitCode: 2, text: "The SP metadata file \"{file}\" has no ACS URL for the home region {region} (it has: {acsUrls}).", hint: "Download the metadata from the console in {region} (the Identity Center home region)." },
  SP_METADATA_UNREADABLE: { level: 'error', exitCode: 2, text: "Cannot read the SP metadata file \"{file}\" ({error}).", hint: "Check the path given to --sp-metadata (the file the console downloaded), or pass --acs-url and --issuer-url instead." },
  STATE_INVALID: { level: 'error', exitCode: 2, text: "The state file {file} is not an okta-aws-sso state file (expected a JSON object).", hint: "Upgrade okta-aws-sso (npm install -g okta-aws-sso@latest) and run it again. The file was left as it is." },
  STATE_LOCKED: { level: 'error', exitCode: 2, text: "The state file is locked by {file}, and that lock file cannot be read.", hint: "If no other okta-aws-sso run is using {stateFile}, delete {file} and run again." },
  STATE_LOCK_FAILED: { level: 'error', exitCode: 2, text: "Cannot create the lock file {file} ({reason}).", hint: "Check that the state file\\'s folder exists and is writable, or pass --state <path>." },
  STATE_NEWER_VERSION: { level: 'error', exitCode: 2, text: "The state file {file} has schema version {version}, written by a newer okta-aws-sso; this version reads version {supported}.", hint: "Upgrade okta-aws-sso (npm install -g okta-aws-sso@latest) and run it again. The file was left as it is." },
  STATE_OTHER_SANDBOX: { level: 'error', exitCode: 2, text: "The state file {file} was made against another sandbox: {other}." },
  STATE_SECRET: { level: 'error', exitCode: 1, text: "Refused to write the state file {file}: it would contain a secret.", hint: "This is a bug in okta-aws-sso; please report it (without the secret). The state file was left as it was." },
  STATE_TRUNCATED: { level: 'error', exitCode: 2, text: "The state file {file} is empty (probably truncated)." },
  STATE_UNREADABLE: { level: 'error', exitCode: 2, text: "The state file {file} is a directory.", hint: "Pass --state with the path of a file." },
  STATE_UNWRITABLE: { level: 'error', exitCode: 2, text: "Cannot write the state file {file} ({reason}).", hint: "Check that its folder exists and is writable, or pass --state <path>." },
  STEP_FAILED: { level: 'error', exitCode: 1, text: "A step failed: {message}" },
  STEP_ORDER: { level: 'error', exitCode: 1, text: "This step needs the result of \"{id}\", which has not run yet.", hint: "Run the wizard from the start (okta-aws-sso init) so \"{id}\" runs first." },
  UNEXPECTED: { level: 'error', exitCode: 1, text: "The step \"{stepId}\" failed unexpectedly: {message}", hint: "Run again with --verbose for details; the next run retries {where}. If it keeps failing, please report it." },
  USAGE: { level: 'error', exitCode: 2, text: "{message}", hint: "Run `okta-aws-sso --help` for the commands and options." },
  VERIFY_FAILED: { level: 'error', exitCode: 1, text: "Verification found {count} problem(s): {first}{andMore}", hint: "Fix what is listed above, then run `okta-aws-sso verify` (or the wizard) again." },
  WAITING_FOR_CONSOLE: { level: 'error', exitCode: 3, text: "Waiting for a console action only a person can do: {title}.", hint: "Do it as shown, then run {command}." },
  XML_DTD: { level: 'error', exitCode: 2, text: "{what} contains a DTD or entity declaration, which SAML metadata never needs; refusing to read it.", hint: "Use the metadata file exactly as the console downloads it." },
  XML_INVALID: { level: 'error', exitCode: 2, text: "{what} is not well-formed XML (line {line}: {msg}).", hint: "Download the metadata file again; a copy-paste may have cut it." },
  XML_TOO_LARGE: { level: 'error', exitCode: 2, text: "{what} is larger than {limit}, so it is not SAML metadata.", hint: "Download the metadata file again from the console and pass that file." },
  DRY_RUN: { level: 'info', text: "Dry run: nothing will be changed{planningFrom}." },
  RUN_DONE: { level: 'result', text: "Done: every step is complete." },
  RUN_VERIFIED: { level: 'result', text: "Verified: every step still holds and the verify step passed." },
  SANDBOX_BOUND: { level: 'info', text: "Sandbox {started}: Okta {oktaUrl}, AWS {awsUrl}." },
  SAVED_ANSWER_INVALID: { level: 'warn', text: "The answer \"{value}\" saved in the state file for {flag} is no longer valid ({reason}); you will be asked again." },
  STATE_CONTINUE: { level: 'info', text: "A setup is already in progress in {file} (started {createdAt}; {done} of {total} steps done)." },
  STATE_MOVED_ASIDE: { level: 'info', text: "Starting over: the earlier state file was moved to {aside}." },
  STATE_OTHER_SANDBOX_WARN: { level: 'warn', text: "The state file {file} was made against another sandbox: {why}." },
  STATUS_ALL_DONE: { level: 'info', text: "Every step is done. `okta-aws-sso verify` re-checks them." },
  STATUS_NEXT: { level: 'info', text: "Next: `okta-aws-sso resume` continues with \"{stepId}\"." },
  STATUS_NO_STATE: { level: 'info', text: "No setup started yet: there is no state file at {file}. Run `okta-aws-sso init` to start." },
  STATUS_SUMMARY: { level: 'info', text: "State file {file} (created {createdAt}, updated {updatedAt}): {done} of {total} steps done." },
  // Steps 1-4 (preflight, sp-metadata, okta-app, idp-metadata): their info and warn lines.
  PREFLIGHT_AWS_CALLER: { level: 'info', text: "AWS caller: {arn} (account {accountId}, credentials from {credentialSource})." },
  PREFLIGHT_CALLER_MANAGEMENT: { level: 'info', text: "You are signed in to the management account {managementAccountId}: it can receive assignments only with --include-management-account, and then the caller needs IAM rights there (see docs/aws.md)." },
  PREFLIGHT_CALLER_DELEGATED_ADMIN: { level: 'info', text: "You are the Identity Center delegated administrator: the management account {managementAccountId} cannot be assigned from here and will be skipped; permission sets provisioned in it cannot be changed from here either." },
  PREFLIGHT_CALLER_NEITHER: { level: 'warn', text: "The caller is neither the management account {managementAccountId} nor a registered delegated administrator for Identity Center; some calls may be denied." },
  PREFLIGHT_OKTA_ORG: { level: 'info', text: "Okta org: {orgUrl} ({authMode}, credentials from {credentialSource})." },
  OKTA_YAML_IGNORED: { level: 'warn', text: "Found {file}: the Okta SDK would read it silently; okta-aws-sso ignores it. Use ~/.okta/okta.yaml, flags or environment variables instead." },
  OKTA_ORG_URL_FROM_YAML: { level: 'info', text: "Okta org URL from {file}." },
  IDP_CERT_EXPIRES_SOON: { level: 'warn', text: "The Okta signing certificate expires in {days} day{s} ({notAfter}). Plan the rollover: new certificate in Okta (Sign On > SAML Signing Certificates), then upload the new metadata to Identity Center." },
  IDP_METADATA_DETAILS: { level: 'info', text: "IdP issuer {entityId}; sign-in URL {ssoUrl}; certificate \"{subject}\", SHA-256 {sha256}, valid until {notAfter}." },
  IDP_METADATA_SAVED: { level: 'info', text: "Saved the IdP metadata to {file}." },
  IDP_METADATA_ALREADY_UPLOADED: { level: 'info', text: "Identity Center already has this IdP metadata (upload confirmed {at}); nothing to upload again." },
  OKTA_APP_ADOPTED: { level: 'info', text: "Adopting the existing Okta app {app}." },
  OKTA_APP_ACTIVATED: { level: 'info', text: "Activated the Okta app {appId}." },
  OKTA_APP_SAML_DIFFERS: { level: 'warn', text: "The Okta app {app} differs from Identity Center: {differences}." },
  OKTA_APP_SAML_UPDATED: { level: 'info', text: "Updated the SAML settings of the Okta app {appId}." },
  SP_METADATA_ACS_CHOSEN: { level: 'info', text: "The metadata lists {count} ACS URLs; using the home region's: {acsUrl}." },
  LOOPBACK_ACCEPTED: { level: 'warn', text: "Accepting the loopback {what} {value} because {variable} points at this machine too ({url}): a test run against an emulator, not AWS." },
  GROUP_ADOPTED: { level: 'info', text: "Adopting the existing Okta group \"{name}\" ({id})." },
  GROUP_CREATED: { level: 'info', text: "Created the Okta group \"{name}\" ({id})." },
  GROUP_ASSIGNED_TO_APP: { level: 'info', text: "Assigned the group \"{name}\" to the app {appId}." },
  GROUP_PREFIX_MISMATCH: { level: 'warn', text: "The push group \"{name}\" does not start with the prefix \"{prefix}\"; it is pushed by name, but a console push rule on the prefix will not cover it." },
  PUSH_CREATED: { level: 'info', text: "Pushing the group \"{name}\" to Identity Center (mapping {id})." },
  PUSH_REACTIVATED: { level: 'info', text: "Re-activated the push of \"{name}\" (mapping {id})." },
  PUSH_AGAIN: { level: 'info', text: "The push of \"{name}\" was in ERROR ({error}); pushing it again (mapping {id})." },
  PUSH_IN_ERROR: { level: 'warn', text: "Group Push is in ERROR for {detail}." },
  PUSH_ASSIGNMENT_GROUP_PREFIX: { level: 'warn', text: "The assignment group \"{name}\" starts with \"{prefix}\" but is not pushed: Okta does not support one group for both." },
  PUSH_RULE_LATER: { level: 'info', text: "Groups whose name starts with \"{prefix}\" and are created later are pushed when you run okta-aws-sso init again, or add the rule \"{prefix}*\" once in {where} (Push Groups > Find groups by rule); then run with --console-done push-groups-by-rule." },
  PUSH_REPUSH: { level: 'info', text: "Okta reports the push of \"{name}\" in ERROR ({error}); pushing it again ({attempt} of {max}: a SCIM error may be transient)." },
  TEST_USER_REASSIGN: { level: 'info', text: "Okta reports the provisioning of the test user {login} in ERROR ({error}); re-assigning it through the assignment group so that Okta provisions it again ({attempt} of {max}: a SCIM error may be transient)." },
  VERIFY_NOTE: { level: 'info', text: "{note}" },
  VERIFY_PROBLEM: { level: 'warn', text: "{problem}" },
  VERIFY_PASSED: { level: 'info', text: "Verified: {accounts} account(s) give \"{permissionSet}\" to \"{group}\"." },
  VERIFY_PORTAL: { level: 'info', text: "AWS access portal: {url}" },
  VERIFY_SIGN_IN_PROOF: { level: 'info', text: "Sign-in proof (as the test user, without a browser):" },
  VERIFY_SIGN_IN_ROW: { level: 'info', text: "  {line}" },
  VERIFY_CHECK_BY_HAND: { level: 'info', text: "Last, check by hand: {steps}" },
  SCIM_TOKEN_EXPIRED: { level: 'warn', text: "The SCIM access token entered on {date} has expired: provisioning stopped. Generate a new one (Settings > Automatic provisioning > Manage provisioning) and run the wizard again with it." },
  SCIM_TOKEN_EXPIRING: { level: 'warn', text: "The SCIM access token entered on {date} expires in about {days} days: generate a new one and update Okta's provisioning before then." },
  PROVISIONING_FEATURES_BY_PERSON: { level: 'info', text: "Okta's Application Features API does not serve \"{label}\" (it answered 400), so Create Users, Update User Attributes and Deactivate Users are taken as set in the console action you confirmed; the group push and the test user verify them by their effect." },
  PROVISIONING_FEATURES_ENABLED: { level: 'info', text: "Enabled Create Users, Update User Attributes and Deactivate Users on \"{label}\" (password sync off)." },
  PROVISIONING_APP_DUPLICATES: { level: 'warn', text: "{count} {name} apps are labelled \"{label}\"; adopting the first ({id})." },
  PROVISIONING_APP_ADOPTED: { level: 'info', text: "Adopting the existing SCIM app \"{label}\" ({id})." },
  PROVISIONING_APP_CREATED: { level: 'info', text: "Created the Okta app \"{label}\" ({id}) with its icons hidden." },
  PROVISIONING_ENABLED: { level: 'info', text: "Provisioning of \"{label}\" is already ENABLED." },
  PROVISIONING_CONSOLE_EARLIER: { level: 'info', text: "Provisioning of \"{label}\" was configured in the console earlier (Okta's API cannot read it back); the later steps verify it by its effect." },
  PROVISIONING_WORKS_BY_EFFECT: { level: 'info', text: "Provisioning of \"{label}\" already works: a push mapping of the app is ACTIVE and has pushed. Adopting it." },
  PROVISIONING_GIVE_HELD_TOKEN: { level: 'info', text: "Giving Okta the SCIM token this run holds (provisioning of \"{label}\" reads ENABLED, but Okta may hold an older token)." },
  PROVISIONING_CONFIGURED_API: { level: 'info', text: "Configured provisioning of \"{label}\" through the API ({baseUrl})." },
  PROVISIONING_NEEDS_CONSOLE: { level: 'info', text: "Provisioning cannot be set through the API: {reason}. It takes a console action." },
  GROUP_PUSH_ERROR: { level: 'error', exitCode: 1, text: "{error}." },
  IDP_METADATA_UNSAFE: { level: 'error', exitCode: 1, text: "The IdP metadata from Okta names the sign-in URL \"{location}\", which is not an https:// address; Identity Center would send people there to sign in." },
  OKTA_KEY_UNREADABLE: { level: 'error', exitCode: 1, text: "The private key file named in {file} cannot be read ({reason}).", hint: "Check the privateKey path in okta.yaml, or pass --okta-private-key-file." },
  OKTA_YAML_UNREADABLE: { level: 'error', exitCode: 1, text: "The Okta settings file \"{file}\" cannot be read ({reason}).", hint: "Fix or remove the file, or give the Okta settings with --okta-org-url and OKTA_API_TOKEN." },
  PROFILE_CONFLICT: { level: 'error', exitCode: 2, text: "~/.aws/config already has a section [{name}] that okta-aws-sso did not write." },
  PROFILE_FILE: { level: 'error', exitCode: 2, text: "Cannot read {file}: {message}." },
  PROFILE_NAME_CLASH: { level: 'error', exitCode: 2, text: "Two profiles would both be called \"{name}\" (account {accountId} {roleName}, account {accountId} {permissionSetName})." },
  PROFILE_PRINCIPAL_NOT_FOUND: { level: 'error', exitCode: 2, text: "No user \"{userName}\" in the Identity Center identity store." },
  PROFILE_READ_BACK: { level: 'error', exitCode: 2, text: "The merged AWS config does not read back [{name}] {key} as written." },
  SIGN_IN_FAILED: { level: 'error', exitCode: 1, text: "The sign-in proof failed: {check}: {detail}" },
  STATE_INSECURE: { level: 'error', exitCode: 2, text: "The state file {file} belongs to another user (uid {ownerUid}, you are uid {uid}); it could have been changed to send your credentials elsewhere, so it is not used." },
  STATE_OTHER_ACCOUNT: { level: 'error', exitCode: 2, text: "This state file was made for AWS account {accountId}, but the AWS credentials now belong to account {accountId}." },
  STATE_OTHER_ORG: { level: 'error', exitCode: 2, text: "This state file was made for the Okta org {orgUrl}, but this run uses {orgNow}." },
  // The engine: a step's life, drift, failures.
  STEP_START: { level: 'info', text: "{title}" },
  STEP_STILL_HOLDS: { level: 'info', text: "Checked \"{title}\": still holds." },
  STEP_DONE_EARLIER: { level: 'debug', text: "{title}: done earlier; still holds." },
  STEP_SKIPPED: { level: 'info', text: "Skipped \"{title}\": {reason}" },
  DRIFT_FOUND: { level: 'warn', text: "Drift in \"{stepId}\": {message}" },
  DRIFT_REPAIR: { level: 'info', text: "Re-applying \"{title}\" to repair the drift." },
  PLANNED_CHANGE: { level: 'debug', text: "  {change}" },
  REPAIR: { level: 'info', text: "Repair in \"{title}\", beyond its plan: {change}; {reason} ({approval})." },
  REPAIR_OUTSIDE_APPLY: { level: 'error', exitCode: 1, text: "A repair (\"{summary}\") was proposed outside a step's apply; nothing was sent.", hint: "This is a bug in okta-aws-sso: a step may propose a repair only while it applies. Please report it." },
  STATE_NOT_SAVED: { level: 'warn', text: "{message}" },
  STACK: { level: 'debug', text: "{stack}" },
  // The I/O core: defaults taken, approvals, console actions.
  ANSWER_DEFAULT: { level: 'debug', text: "{question}: using the default \"{value}\" ({how})" },
  CONFIRM_DEFAULT: { level: 'debug', text: "{question} {answer} ({why})" },
  APPROVED_BY_YES: { level: 'debug', text: "{question} yes (--yes)" },
  CONSOLE_ACTION_MARKED_DONE: { level: 'debug', text: "Console action \"{id}\" marked done by {source}." },
  CONSOLE_ACTION_EVIDENCE: { level: 'debug', text: "Console action \"{id}\" already done: {answered} answered." },
  SANDBOX_PERFORMED: { level: 'info', text: "Sandbox: performed \"{title}\"{result}." },
  CONSOLE_ACTION_SCRIPTED: { level: 'info', text: "{how}." },
  SECRET_NOT_SHOWN: { level: 'warn', text: "{label} is not shown because the output is not a terminal (it would end up in a log). Supply your own value instead, or run in a terminal." },
  // Connections and preflight.
  OKTA_ORG_URL_ADMIN: { level: 'warn', text: "The Okta org URL \"{host}\" is the Admin Console address; the API lives at \"{fixed}\", so that is used instead." },
  OKTA_ORG_URL_PATH: { level: 'warn', text: "The path \"{path}\" in the Okta org URL is ignored." },
  DELEGATED_ADMIN_INFERRED: { level: 'debug', text: "Delegated administrator: {note}." },
  CLIENT_DEBUG: { level: 'debug', text: "{message}" },
  // Steps 3b, 6, 8, 10, 11.
  MFA_POLICY_CREATED: { level: 'info', text: "Created the app sign-in policy \"{name}\" ({id})." },
  MFA_RULE_ADDED: { level: 'info', text: "Added the rule \"{rule}\": two factors (possession + knowledge) at every sign-in." },
  MFA_RULE_ADDED_TO_POLICY: { level: 'info', text: "Added the rule \"{rule}\" to \"{policy}\"." },
  MFA_POLICY_ASSIGNED: { level: 'info', text: "\"{policy}\" is now the sign-in policy of \"{app}\"." },
  MFA_POLICY_ADOPTED: { level: 'info', text: "Adopting the app sign-in policy \"{policy}\" ({id})." },
  PROVISIONING_FEATURE_UPDATE_FAILED: { level: 'debug', text: "Updating USER_PROVISIONING failed: {reason}" },
  PUSH_RULE_CONFIRMED_EARLIER: { level: 'debug', text: "The push rule \"{prefix}*\" was confirmed in an earlier run." },
  PUSH_ALREADY: { level: 'debug', text: "The group \"{name}\" is already pushed (mapping {id})." },
  PUSH_MAPPING_UNREADABLE: { level: 'debug', text: "Could not read the push mapping of \"{name}\": {reason}" },
  ACCOUNT_SKIPPED: { level: 'info', text: "Skipping account {account}: {reason}." },
  ASSIGNMENTS_RESUMED: { level: 'info', text: "{earlier} account(s) were finished by an earlier run; {left} left." },
  ASSIGNMENT_ENGINE_STATS: { level: 'debug', text: "Assignment engine: {requests} requests, {retries} retries{bulk}." },
  ACCOUNT_ASSIGNMENT_FAILED: { level: 'warn', text: "Account {account} FAILED: {reason}" },
  TEST_USER_ADOPTED: { level: 'info', text: "Adopting the existing Okta user {login} ({id}); its password is left as it is." },
  TEST_USER_PROFILE_INCOMPLETE: { level: 'warn', text: "The existing user {login} has no {missing}; Identity Center will refuse to provision it. Fill them in Okta (Directory > People > {login} > Profile)." },
  TEST_USER_ADDED_TO_GROUP: { level: 'info', text: "Added {user} to the group {groupId}." },
  TEST_USER_CREATED: { level: 'info', text: "Created the Okta user {login} ({id}) in {groups} groups{mustChange}." },
  // Step 9 and the access file: permission sets.
  PERMISSION_SET_CREATED: { level: 'info', text: "Created the permission set \"{name}\" ({arn})." },
  PERMISSION_SET_APPEARED: { level: 'info', text: "The permission set \"{name}\" appeared meanwhile; adopting it." },
  PERMISSION_SET_ADOPTED: { level: 'info', text: "Adopting the existing permission set \"{name}\" ({arn})." },
  POLICY_ATTACHED: { level: 'info', text: "Attached {policyArn}." },
  SESSION_DURATION_CHANGED: { level: 'info', text: "Session duration changed from {before} to {after}." },
  PERMISSION_SET_OTHER_POLICIES: { level: 'info', text: "The set also holds {policies}; the wizard leaves those alone." },
  PERMISSION_SET_REPROVISION: { level: 'info', text: "Provisioning the latest version to {count} account(s) that hold an outdated one." },
  PERMISSION_SET_KEPT: { level: 'warn', text: "The permission set \"{name}\" is kept: some of its assignments could not be removed." },
  PERMISSION_SET_DELETED: { level: 'info', text: "Deleted the permission set \"{name}\"." },
  ACCESS_ASSIGNMENT_FAILED: { level: 'warn', text: "{group} / {permissionSet} on {accountId} FAILED: {reason}" },
  DESTROY_GROUP_STILL_PUSHED: { level: 'warn', text: "Okta deleted the push of \"{name}\", but the group is still in Identity Center; delete it there (Groups > {name} > Delete) if Okta does not." },
  SIGN_IN_DEVICE_CODE: { level: 'info', text: "To prove the access, open {where} in a private browser window, sign in as {login} and approve the code {code} (it expires in {minutes} min). Waiting..." },
  // Day two: rotations.
  ROTATE_KEY_GENERATED: { level: 'info', text: "Generated the signing key {kid} for \"{app}\" (Okta still signs with {oldKid})." },
  ROTATE_KEY_CONTINUING: { level: 'info', text: "Continuing with the signing key {kid} for \"{app}\" (Okta still signs with {oldKid})." },
  ROTATE_METADATA_SAVED: { level: 'info', text: "Saved the IdP metadata of the new key to {file} (certificate SHA-256 {sha256}, valid until {notAfter})." },
  ROTATE_ORDER: { level: 'warn', text: "Order matters: Identity Center must have the new certificate before Okta signs with the new key; switching first makes every sign-in to AWS fail until the metadata is uploaded. Between the upload and the switch, Identity Center expects the new key while Okta still signs with the old one: do the upload, then let this command switch at once." },
  ROTATE_SWITCHED: { level: 'info', text: "The Okta app \"{app}\" now signs with {kid} (the old key {oldKid} stays on the app, inactive)." },
  ROTATE_SIGN_IN_PROVED: { level: 'info', text: "Signed in with the new key: Identity Center accepted the SAML response." },
  ROTATE_SIGN_IN_NOT_PROVEN: { level: 'warn', text: "The sign-in was not proven ({rows}); run `okta-aws-sso verify --sign-in` with the test user's password to prove it." },
  ROTATE_TOKEN_SET_API: { level: 'info', text: "Okta's provisioning connection of \"{app}\" now holds the new token (set through the API)." },
  ROTATE_TOKEN_NEEDS_CONSOLE: { level: 'info', text: "Okta's provisioning connection cannot be set through the API: {reason}. It takes a console action." },
  ROTATE_PUSH_NOT_PROVEN: { level: 'warn', text: "No test user: the push through the new token is not proven. Check the Okta app > Push Groups (Last push) before deleting the old token." },
  // The CLI's own messages.
  STATE_LOCK_TAKEN_OVER: { level: 'warn', text: "Taking over a stale lock on {file}: process {pid} (started {startedAt}) no longer runs{reused}." },
  STOPPING: { level: 'warn', text: "{signal}: stopping and saving the state (press Ctrl-C again to quit at once)." },
  ACCESS_STOPPING: { level: 'warn', text: "Stopping: what is done so far is recorded in the state file; run `{command}` to continue." },
  TEST_USER_ASSIGNMENT_UNREADABLE: { level: 'debug', text: "Could not read or re-assign the test user's assignment: {reason}" },
  // Spinner texts (level progress): a spinner's start and outcome are records; updates are redrawn only.
  PREFLIGHT_INSTANCE_LOOKUP: { level: 'progress', text: "Looking for the Identity Center instance in {region}" },
  PREFLIGHT_INSTANCE_PROBE: { level: 'progress', text: "Probing the regions for the Identity Center instance" },
  PREFLIGHT_REGION_PROBED: { level: 'progress', text: "Probing regions: {region}: {count} instance(s)" },
  PREFLIGHT_INSTANCE_FOUND: { level: 'progress', text: "Identity Center instance {instanceArn} (identity store {identityStoreId}), home region {region}" },
  PREFLIGHT_INSTANCES_FOUND: { level: 'progress', text: "{count} Identity Center instances in {region}" },
  OKTA_APP_CREATING: { level: 'progress', text: "Creating the Okta app \"{label}\"" },
  OKTA_APP_CREATED: { level: 'progress', text: "Created the Okta app \"{label}\" ({id})" },
  IDP_METADATA_DOWNLOADING: { level: 'progress', text: "Downloading the SAML metadata of the Okta app {appId}" },
  IDP_METADATA_DOWNLOADED: { level: 'progress', text: "Downloaded the SAML metadata of the Okta app {appId}" },
  SCIM_PROBING: { level: 'progress', text: "Probing {endpoint}/ServiceProviderConfig" },
  SCIM_PROBE_ACCEPTED: { level: 'progress', text: "The SCIM endpoint accepted the token ({endpoint})." },
  PERMISSION_SET_PROGRESS: { level: 'progress', text: "Permission set \"{name}\"" },
  PERMISSION_SET_PROVISIONING: { level: 'progress', text: "Permission set \"{name}\": still provisioning ({seconds} s)" },
  PERMISSION_SET_READY: { level: 'progress', text: "Permission set \"{name}\" ready." },
  PERMISSION_SET_READY_REPROVISIONED: { level: 'progress', text: "Permission set \"{name}\" ready (re-provisioned to {count} account(s))." },
  GROUP_WAIT: { level: 'progress', text: "Waiting for the group \"{name}\" to arrive through SCIM" },
  GROUP_WAIT_SECONDS: { level: 'progress', text: "Waiting for the group \"{name}\" to arrive through SCIM ({seconds} s of {timeout} s)" },
  GROUP_ARRIVED: { level: 'progress', text: "The group \"{name}\" arrived ({id})." },
  GROUP_CANNOT_ARRIVE: { level: 'progress', text: "The group \"{name}\" cannot arrive: Okta reports the push in ERROR." },
  GROUP_NOT_ARRIVED: { level: 'progress', text: "The group \"{name}\" did not arrive within {timeout} s." },
  ACCOUNTS_PROGRESS: { level: 'progress', text: "{done}/{total} accounts" },
  ACCOUNTS_DONE: { level: 'progress', text: "{done}/{total} accounts ({summary})" },
  VERIFY_USER_LOOKUP: { level: 'progress', text: "Looking for the test user \"{login}\" in the identity store" },
  VERIFY_USER_WAIT: { level: 'progress', text: "Waiting for the test user \"{login}\" to arrive through SCIM ({seconds} s)" },
  VERIFY_USER_GROUP_WAIT: { level: 'progress', text: "Waiting for \"{login}\" to join \"{group}\" through SCIM ({seconds} s)" },
  VERIFY_USER_ARRIVED: { level: 'progress', text: "The test user arrived through SCIM ({id}) and is in \"{group}\"." },
  HEALTH_PROFILES_CHECKING: { level: 'progress', text: "Checking the profiles of the assigned Okta users" },
  HEALTH_PROFILES_CHECKED: { level: 'progress', text: "Checked {count} Okta profile(s)" },
  ROTATE_PUSH_PROVING: { level: 'progress', text: "Proving provisioning {when}: changing the display name of {login} in Okta and waiting for it in Identity Center" },
  ROTATE_PUSH_PROVED: { level: 'progress', text: "Provisioning works {when}: the change of {login} arrived in Identity Center (and was undone)." },
  ROTATE_TOKEN_PROBING: { level: 'progress', text: "Probing {endpoint}/ServiceProviderConfig with the new token" },
  ROTATE_TOKEN_ACCEPTED: { level: 'progress', text: "The SCIM endpoint accepts the new token." },
  ACCESS_READING: { level: 'progress', text: "Reading Identity Center, the organization and the groups" },
  ACCESS_READ: { level: 'progress', text: "Read {accounts} accounts, {permissionSets} permission sets, {groups} groups." },
  EXPORT_READING: { level: 'progress', text: "Reading Identity Center" },
  EXPORT_READ: { level: 'progress', text: "Read {sets} permission set(s) and {assignments} group assignment(s)." },
  REPROVISION_START: { level: 'progress', text: "Provisioning \"{name}\" again to the {count} account(s) holding it" },
  REPROVISION_WAIT: { level: 'progress', text: "Provisioning \"{name}\": still provisioning ({seconds} s)" },
  REPROVISION_DONE: { level: 'progress', text: "\"{name}\" provisioned again to {count} account(s)." },
  ASSIGN_PAIR: { level: 'progress', text: "\"{permissionSet}\" to \"{group}\": {done}/{total} accounts" },
  ASSIGN_PAIR_FAILED: { level: 'progress', text: "\"{permissionSet}\" to \"{group}\": {done}/{total} accounts, {failed} failed" },
  UNASSIGN_PAIR: { level: 'progress', text: "removing \"{permissionSet}\" from \"{group}\": {done}/{total} accounts" },
  UNASSIGN_PAIR_FAILED: { level: 'progress', text: "removing \"{permissionSet}\" from \"{group}\": {failed} of {total} failed" },
  UNASSIGN_PAIR_DONE: { level: 'progress', text: "removed \"{permissionSet}\" from \"{group}\" on {total} account(s)" },
  PROFILES_READING: { level: 'progress', text: "Reading the access of {kind} \"{name}\"" },
  PROFILES_READ: { level: 'progress', text: "{count} account and permission set pair(s) found." },
  DESTROY_READING: { level: 'progress', text: "Reading what the setup created" },
  DESTROY_READ: { level: 'progress', text: "Read what the setup created." },
  DESTROY_REMOVING: { level: 'progress', text: "{change}" },
  DESTROY_REMOVING_COUNT: { level: 'progress', text: "{change}: {done}/{total}" },
  DESTROY_REMOVING_WAIT: { level: 'progress', text: "{change} (waiting for Identity Center: {seconds} s)" },
  DESTROY_REMOVED_BY_CONSOLE: { level: 'progress', text: "{change}: a console action" },
  DESTROY_REMOVED: { level: 'progress', text: "{change}: done" },
  // What commands end with (TextBlock lines; level result is printed in green) and the renderer's own lines.
  DRY_RUN_NOTHING_CHANGED: { level: 'info', text: "Dry run: nothing was changed." },
  DRY_RUN_NOTHING_WRITTEN: { level: 'info', text: "Dry run: nothing was written." },
  DRY_RUN_CONSOLE_ACTIONS: { level: 'info', text: "Console actions to come (a person does these in a browser):" },
  OWED_CONSOLE_ACTION: { level: 'info', text: "Owed console action for \"{stepId}\": {title}" },
  OWED_CONSOLE_ACTION_WHERE: { level: 'info', text: "  Where: {where}" },
  OWED_CONSOLE_ACTION_STEP: { level: 'info', text: "  {n}. {instruction}" },
  OWED_CONSOLE_ACTION_VALUE: { level: 'info', text: "  {label}: {value}" },
  OWED_CONSOLE_ACTION_WHEN_DONE: { level: 'info', text: "  When done: {command}" },
  SUMMARY_CREATED: { level: 'result', text: "Created: {items}." },
  SUMMARY_ADOPTED: { level: 'result', text: "Already there (adopted): {items}." },
  SUMMARY_REPAIRED: { level: 'result', text: "Repaired on the way ({count}): {items}." },
  SUMMARY_GROUPS: { level: 'result', text: "Okta groups in place: {groups}." },
  SUMMARY_TODO_NOTHING: { level: 'result', text: "Still to do: nothing." },
  SUMMARY_TODO_SKIPPED: { level: 'result', text: "Still to do: {count} account(s) were skipped on purpose (`okta-aws-sso status --json` says why)." },
  SUMMARY_TODO_SIGN_IN: { level: 'result', text: "Still to do: sign in once as {login} at {url} (a private browser window)." },
  SUMMARY_PORTAL: { level: 'result', text: "AWS access portal: {url}" },
  SUMMARY_DETAILS: { level: 'result', text: "Every step and its details: `okta-aws-sso status`." },
  HEALTH_HEADING: { level: 'info', text: "Health:" },
  INIT_ACCESS_FILE_WRITTEN: { level: 'result', text: "Wrote the access file {file} (the group \"{group}\" with \"{permissionSet}\"): manage access from it with `okta-aws-sso access plan -f {fileArg}`." },
  DESTROY_INSTANCE: { level: 'info', text: "Identity Center instance {instanceId} ({instanceArn})." },
  DESTROY_NOTHING_LEFT: { level: 'result', text: "Nothing the wizard created is left to remove." },
  DESTROY_PLAN: { level: 'info', text: "Plan: {count} removal(s), in this order:" },
  DESTROY_KEPT: { level: 'info', text: "  kept: {what}" },
  DESTROY_STATE_RECORDS: { level: 'info', text: "The state file {file} records what was removed; `okta-aws-sso init` would set everything up again." },
  PROFILES_NONE: { level: 'warn', text: "No account assignment reaches {name}: only the sso-session is written." },
  PROFILES_UP_TO_DATE: { level: 'result', text: "{file} is already up to date." },
  PROFILES_WRITTEN: { level: 'result', text: "Wrote {file}." },
  PROFILES_WRITTEN_BACKUP: { level: 'result', text: "Wrote {file} (the previous version is in {backup})." },
  PROFILES_COUNTS: { level: 'info', text: "Profiles: {added} added, {updated} updated, {removed} removed, {unchanged} unchanged." },
  PROFILES_SIGN_IN: { level: 'info', text: "Sign in once with `aws sso login --sso-session {session}`, then e.g. `aws sts get-caller-identity --profile {profile}`." },
  ACCESS_IN_SYNC: { level: 'result', text: "Identity Center matches the access file." },
  ACCESS_NOTHING_TO_DO: { level: 'result', text: "Identity Center already matches the access file: nothing to do." },
  ACCESS_SETTLED: { level: 'info', text: "Recorded in the state file {count} assignment(s) an earlier, interrupted run had sent." },
  ACCESS_APPLY_HINT: { level: 'info', text: "Apply it with `okta-aws-sso access apply -f {file}{prune}`." },
  ACCESS_APPLIED: { level: 'result', text: "Applied: {created} assignment(s) created, {deleted} deleted; permission sets {setsCreated} created, {setsUpdated} updated, {setsDeleted} deleted." },
  ACCESS_REPROVISIONED: { level: 'info', text: "  \"{name}\" provisioned again to the {accounts} account(s) holding it." },
  ACCESS_EXPORTED: { level: 'result', text: "Wrote {file}: {sets} permission set(s), {assignments} group assignment(s). Check it with `okta-aws-sso access plan -f {fileArg}`." },
  SANDBOX_STARTED: { level: 'info', text: "Sandbox started (pid {pid}) in {dir}" },
  SANDBOX_ALREADY_RUNNING: { level: 'info', text: "Sandbox already running (pid {pid}) in {dir}" },
  SANDBOX_OPTIONS_KEPT: { level: 'warn', text: "The running sandbox keeps the options it was started with; run `okta-aws-sso sandbox stop` first to change them." },
  SANDBOX_STATUS_RUNNING: { level: 'info', text: "Sandbox running (pid {pid}, since {startedAt}) in {dir}" },
  SANDBOX_OKTA_URL: { level: 'info', text: "  Okta: {url}" },
  SANDBOX_AWS_URL: { level: 'info', text: "  AWS:  {url} (region {region})" },
  SANDBOX_ADMIN_URL: { level: 'info', text: "  Admin: {url}" },
  SANDBOX_ENV_HEADING: { level: 'info', text: "Environment for other tools (the AWS CLI also needs --endpoint-url):" },
  SANDBOX_ENV_EXPORT: { level: 'info', text: "  export {name}={value}" },
  SANDBOX_ENV_SOURCE: { level: 'info', text: "  or: source {file}" },
  SANDBOX_RUN_WITH: { level: 'info', text: "Run the wizard against it with: okta-aws-sso init --sandbox" },
  SANDBOX_MANUAL_CONSOLE: { level: 'info', text: "Console actions: not performed by the sandbox (--manual-console); do each with `okta-aws-sso sandbox console <id>`." },
  SANDBOX_NONE_RUNNING: { level: 'info', text: "No sandbox running in {dir}. Start one with: okta-aws-sso sandbox start" },
  SANDBOX_STOPPED: { level: 'result', text: "Sandbox in {dir} stopped." },
  SANDBOX_WAS_NOT_RUNNING: { level: 'info', text: "No sandbox was running in {dir}." },
  SANDBOX_RESET: { level: 'result', text: "Sandbox in {dir} reset to its initial state." },
  SANDBOX_CONSOLE_PERFORMED: { level: 'info', text: "Sandbox performed \"{action}\"{result}." },
  SANDBOX_FILE_SAVED: { level: 'info', text: "  saved {file}" },
  SANDBOX_SECRET_SAVED: { level: 'info', text: "  {key}: not shown; saved in {file} (mode 0600){passWith}" },
  // Errors that were raised without a registered code (found when WizardError.code became a MessageCode).
  STATE_NOT_JSON: { level: 'error', exitCode: 2, text: "The state file {file} is not JSON ({reason}).", hint: "Move the file aside (it is kept) and run `okta-aws-sso init` again, or restore a backup." },
  OKTA_API_ERROR: { level: 'error', exitCode: 1, text: "Okta answered {status} {errorCode} to {method} {path}: {errorSummary} ({causes})." },
  OKTA_NOT_FOUND: { level: 'error', exitCode: 1, text: "Okta answered 404 {errorCode} to {method} {path}: {errorSummary}." },
  OKTA_RATE_LIMITED: { level: 'error', exitCode: 1, text: "Okta answered 429 {errorCode} to {method} {path}: {errorSummary} (after the retries).", hint: "Wait a minute and run again: what is done is kept." },
  OKTA_UNAUTHORIZED: { level: 'error', exitCode: 4, text: "Okta answered 401 {errorCode} to {method} {path}: {errorSummary}.", hint: "Check the API token (OKTA_API_TOKEN or --okta-token-file) or the service app's credentials, then run again." },
  OKTA_FORBIDDEN: { level: 'error', exitCode: 4, text: "Okta answered 403 {errorCode} to {method} {path}: {errorSummary}.", hint: "Give the admin or the service app the rights named in docs/okta.md, then run again." },
  OKTA_OAUTH_REJECTED: { level: 'error', exitCode: 4, text: "Okta refused the OAuth token request for the service app (HTTP 400).", hint: "Check --okta-client-id, the public key on the service app with --okta-key-id as its kid, its client authentication, and that every requested scope is granted." },
  FILE_UNREADABLE: { level: 'error', exitCode: 2, text: "{what} \"{file}\" cannot be read ({code}).", hint: "Check the path and its permissions." },
  FILE_NOT_REGULAR: { level: 'error', exitCode: 2, text: "{what} \"{file}\" is {kind}, not a regular file.", hint: "Give the path of a regular file." },
  FILE_TOO_LARGE: { level: 'error', exitCode: 2, text: "{what} \"{file}\" is larger than the {limit} such a file can be." },
  ANSWER_NOT_BOOLEAN: { level: 'error', exitCode: 2, text: "{where} must be true or false, not \"{value}\".", hint: "Use true/false, yes/no or 1/0." },
  ANSWER_NOT_NUMBER: { level: 'error', exitCode: 2, text: "{where} must be a number, not \"{value}\".", hint: "Give a whole number." },
  // The sandbox: the process the sandbox commands start, and its console actions.
  SANDBOX_NOT_BUILT: { level: 'error', exitCode: 1, text: "The sandbox program (dist/sandbox/main.js) is missing.", hint: "Build the project first: npm run build." },
  SANDBOX_STARTING: { level: 'error', exitCode: 2, text: "Another sandbox is being started in {dir} right now.", hint: "Wait a few seconds and run `okta-aws-sso sandbox status`." },
  SANDBOX_START_FAILED: { level: 'error', exitCode: 1, text: "The sandbox did not start ({exit}): {error}", hint: "See {logFile} for details." },
  SANDBOX_OPTIONS: { level: 'error', exitCode: 2, text: "Bad sandbox options: {message}", hint: "Fix the sandbox options and start it again." },
  SANDBOX_PORT: { level: 'error', exitCode: 2, text: "The sandbox port must be a number from 1 to 65534, not {port}.", hint: "Leave the port out to use free ports." },
  SANDBOX_DIR: { level: 'error', exitCode: 2, text: "Cannot use {dir} as the sandbox folder ({reason}).", hint: "Choose a writable folder with --sandbox-dir (or --dir for the sandbox commands), or run from a folder you can write to." },
  SANDBOX_RUNNING: { level: 'error', exitCode: 2, text: "A sandbox is already running in {dir} (pid {pid}, Okta at {oktaUrl}).", hint: "Use it as it is, or stop it first with `okta-aws-sso sandbox stop`." },
  SANDBOX_ADMIN: { level: 'error', exitCode: 1, text: "The sandbox's admin API answered {status}: {detail}" },
  SANDBOX_UNREACHABLE: { level: 'error', exitCode: 1, text: "The sandbox at {adminUrl} does not answer ({reason}).", hint: "Start it with `okta-aws-sso sandbox start` (or check it with `okta-aws-sso sandbox status`)." },
  SANDBOX_CONSOLE_ACTION: { level: 'error', exitCode: 1, text: "The sandbox could not perform the console action \"{actionId}\": {detail}", hint: "docs/sandbox.md lists the console actions and their payloads." },
  SCIM_NOT_ENABLED: { level: 'error', exitCode: 2, text: "Automatic provisioning is not enabled, so there is no access token to add.", hint: "Enable automatic provisioning first (Settings > Identity source > Automatic provisioning > Enable)." },
  SCIM_TOKEN_LIMIT: { level: 'error', exitCode: 2, text: "You can have up to {max} access tokens; this directory already has {count}.", hint: "Delete an expired or unused access token first (Manage provisioning > Access tokens > Delete), then generate a new one." },
  SCIM_TOKEN_UNKNOWN: { level: 'error', exitCode: 2, text: "No access token with the ID {tokenId} exists.", hint: "Pick a token ID from Manage provisioning > Access tokens." },
  SCIM_TOKEN_LAST: { level: 'error', exitCode: 2, text: "Only one access token exists: deleting it would stop provisioning.", hint: "Generate a new token and give it to Okta first." },
} as const satisfies Record<string, MessageSpec>;

export type MessageCode = keyof typeof MESSAGES;

/** A value in a message's data: what `{name}` in its template is filled with. */
export type MessageValue = string | number | boolean;
export type MessageData = Readonly<Record<string, MessageValue>>;

/** The `{name}`s of a template. */
type Placeholders<S extends string> = S extends `${string}{${infer K}}${infer Rest}` ? (K extends `${string} ${string}` ? never : K) | Placeholders<Rest> : never;
type TextOf<C extends MessageCode> = (typeof MESSAGES)[C]['text'];

/** The codes registered with one of `levels`. */
export type CodeAt<L extends MessageLevel> = { [C in MessageCode]: (typeof MESSAGES)[C]['level'] extends L ? C : never }[MessageCode];

/**
 * The data a code's template needs: every `{name}` of its text, plus any further fields (they reach
 * --json only). A template without names takes no data, or optional extra fields.
 */
export type DataArgs<C extends MessageCode> = [Placeholders<TextOf<C>>] extends [never]
  ? [data?: MessageData]
  : [data: { readonly [K in Placeholders<TextOf<C>>]: MessageValue } & MessageData];

/**
 * One message as data (the CDK CLI's IoMessage): when, its level and stable code, the text a person
 * reads (the template filled), and the data it was filled with. `--json` carries these records in
 * `messages` (docs/json-output.md); the terminal prints `text`.
 */
export interface IoMessage {
  time: string;
  level: MessageLevel;
  code: MessageCode;
  text: string;
  data: Record<string, MessageValue>;
}

/** The record of `code` with `data`, its text filled from the registry's template. */
export function ioMessage<C extends MessageCode>(code: C, ...[data]: DataArgs<C>): IoMessage {
  const d: Record<string, MessageValue> = { ...(data ?? {}) };
  return { time: new Date().toISOString(), level: MESSAGES[code].level, code, text: messageText(code, d), data: d };
}

/** The template of `code` filled with `data` (a missing name stays as `{name}`, so a mistake shows). */
export function messageText(code: MessageCode, data: Readonly<Record<string, MessageValue>> = {}, part: 'text' | 'hint' = 'text'): string {
  const spec: MessageSpec = MESSAGES[code];
  const t = part === 'text' ? spec.text : (spec.hint ?? '');
  return t.replace(/\{(\w+)\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

/** Is `code` a registered code? */
export function isMessageCode(code: string): code is MessageCode {
  return Object.prototype.hasOwnProperty.call(MESSAGES, code);
}

/** The record with its text and its data's strings passed through `redact` (a value may quote a secret the run saw). */
export function maskMessage(m: IoMessage, redact: (text: string) => string): IoMessage {
  const data: Record<string, MessageValue> = {};
  for (const [k, v] of Object.entries(m.data)) data[k] = typeof v === 'string' ? redact(v) : v;
  return { ...m, text: redact(m.text), data };
}
