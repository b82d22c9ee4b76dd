import { ContainerRecordSchema } from './container.js';
import { ContentsSchema } from './contents.js';
import {
  DeactivationReceiptSchema,
  DeactivationRequestSchema,
  LicenseGrantSchema,
  LicenseRefusalSchema,
  LicenseRequestSchema,
} from './documents.js';
import {
  DonationReceiptSchema,
  RenewalAnswerSchema,
  RenewalRequestSchema,
  SeatDonationSchema,
  SeatLeaseSchema,
  SiteCertificateSchema,
  SiteLicenseSchema,
  SiteReportSchema,
} from './site.js';
import { OPERATION_SCHEMAS, UpdatePackageSchema, UpdateRequestSchema } from './updates.js';

export * from './container.js';
export * from './contents.js';
export * from './documents.js';
export * from './primitives.js';
export * from './site.js';
export * from './updates.js';

/**
 * Every schema whose validator is made ahead of time (`npm run generate`, into
 * `src/generated/checks.ts`): the SDK validates with those, and never loads TypeBox itself.
 */
export const CHECKED_SCHEMAS = {
  contents: ContentsSchema,
  licenseRequest: LicenseRequestSchema,
  licenseGrant: LicenseGrantSchema,
  licenseRefusal: LicenseRefusalSchema,
  deactivationRequest: DeactivationRequestSchema,
  deactivationReceipt: DeactivationReceiptSchema,
  updateRequest: UpdateRequestSchema,
  updatePackage: UpdatePackageSchema,
  containerRecord: ContainerRecordSchema,
  siteCertificate: SiteCertificateSchema,
  siteLicense: SiteLicenseSchema,
  seatLease: SeatLeaseSchema,
  renewalRequest: RenewalRequestSchema,
  renewalAnswer: RenewalAnswerSchema,
  siteReport: SiteReportSchema,
  seatDonation: SeatDonationSchema,
  donationReceipt: DonationReceiptSchema,
  ...Object.fromEntries(Object.entries(OPERATION_SCHEMAS).map(([op, schema]) => [`operation:${op}`, schema])),
} as const;
