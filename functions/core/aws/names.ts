/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/** An AWS region name, commercial, GovCloud, ISO or the European Sovereign Cloud (e.g. eu-west-1, us-gov-west-1, eusc-de-east-1). */
export const REGION = /^[a-z]{2,4}(-gov|-iso[a-z]*)?(-[a-z]+){1,2}-\d$/;

/** A classic ELB name: 1-32 letters, digits and hyphens, not starting or ending with a hyphen. */
export const CLASSIC_ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;

/** An ELBv2 target group ARN. */
export const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
