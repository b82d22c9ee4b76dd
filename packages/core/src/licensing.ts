/** How a license is verified online: the `licenseVerification` flag of the license file. */
export const VERIFICATION_MODES = ['off', 'ongoing', 'frozen'] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

/** The license container file's format (docs/container-format.md). */
export const CONTAINER_FORMAT = 2;

/** State of a license container on a computer. */
export const CONTAINER_STATES = ['evaluation', 'active', 'grace', 'releasing', 'frozen', 'blocked'] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

/** State of a license on the vendor server; `revoked` is final, unlike `suspended`. */
export const LICENSE_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export interface Product {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly createdAt: string;
  /** When the vendor archived it: it then takes no new policies or licenses. */
  readonly archivedAt: string | null;
}

export interface Policy {
  readonly id: string;
  readonly productId: string;
  readonly name: string;
  /** Days between online checks (CheckLicenseDays); the next-check date is set this far ahead. */
  readonly checkIntervalDays: number;
  /** Days an application may run without a serial; shipped to the application in its SDK configuration. */
  readonly evaluationDays: number;
  /** How many times a license may be moved to another computer; null means no limit. */
  readonly maxTransfers: number | null;
  /** Days the application keeps running when a due online check cannot reach the server. */
  readonly graceDays: number;
  /** Verification mode written into licenses issued under this policy (`off` or `ongoing`). */
  readonly verification: Exclude<VerificationMode, 'frozen'>;
  /** License lifetime from its creation; null means perpetual. */
  readonly durationDays: number | null;
  /** Licensed items and seats each license starts with, e.g. `{ cad: { servers: 1, nodes: 5 } }`. */
  readonly items: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Usage counters each license starts with, e.g. `{ exports: 100 }`. */
  readonly counters: Readonly<Record<string, number>>;
  readonly createdAt: string;
  /** When the vendor archived it: no new licenses are issued under it; its licenses keep their terms. */
  readonly archivedAt: string | null;
}

export interface License {
  readonly id: string;
  readonly serial: string;
  readonly productId: string;
  readonly policyId: string;
  readonly status: LicenseStatus;
  readonly expiresAt: string | null;
  readonly transfersUsed: number;
  /** Counter consumption its containers reported: the largest seen of each counter. */
  readonly consumed: Readonly<Record<string, number>>;
  /** Transfers the vendor granted above the policy's `maxTransfers` (support desk). */
  readonly extraTransfers: number;
  readonly note: string | null;
  readonly createdAt: string;
  /** When the vendor archived it (revoked or expired by then): hidden from lists, no more updates. */
  readonly archivedAt: string | null;
}

export interface Binding {
  readonly id: string;
  readonly licenseId: string;
  readonly fingerprintHash: string;
  /** Each part of the fingerprint hashed: a computer that changed one part is still this one. */
  readonly fingerprintParts: Readonly<Record<string, string>>;
  /** The container's Ed25519 public key: requests from the bound computer are signed with it. */
  readonly containerKey: string;
  /** The container's X25519 public key: what the vendor sends the container is sealed to it. */
  readonly containerBoxKey: string;
  readonly createdAt: string;
  readonly lastCheckedAt: string | null;
}
