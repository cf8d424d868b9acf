/** Who is acting: every domain command takes one, and every query is scoped by it. */
export type Role = 'analyst' | 'clerk' | 'department' | 'supervisor' | 'applicant';

export const ROLES: readonly Role[] = ['analyst', 'clerk', 'department', 'supervisor', 'applicant'];

export interface Actor {
  userId: string;
  name: string;
  role: Role;
  /** Department code (for role 'department'). */
  department?: string;
  /** Administrative-division code the actor works in (clerks, departments, supervisors). */
  region?: string;
  /** Service venue (clerks). */
  venue?: string;
  /** Verified identity number (applicants, from the identity provider): whose licences they may see. */
  idNumber?: string;
}
