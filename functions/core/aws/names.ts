/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/** An AWS region name, commercial, GovCloud or ISO (e.g. eu-west-1, us-gov-west-1). */
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
