/** Where things are in the AWS console, for console actions (one place, so every step says the same). */

/** The IAM Identity Center Settings page of the instance in `region` (its home region). */
export function identityCenterSettings(region: string): { where: string; url: string } {
  return {
    where: `AWS console (region ${region}) > IAM Identity Center > Settings > Identity source`,
    url: `https://${region}.console.aws.amazon.com/singlesignon/home?region=${region}#!/instances/settings`,
  };
}
