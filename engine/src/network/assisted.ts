/**
 * 帮办代办: an application made by someone other than the applicant — a handler or agent with a
 * power of attorney (授权委托书), a guardian, or assisted-service staff (帮办代办员) who help the
 * applicant at the window (帮办, applicant present) or act for them (代办, applicant absent).
 * Both the agent and the applicant are recorded; the applicant keeps seeing the case.
 */
import { t, DomainError, type FieldProblem } from '../domain/errors.js';
import { checkResidentId } from '../../../forms/src/validate/formats/resident-id.js';

/** 帮办: staff help, the applicant is present and signs; 代办: someone acts for the applicant. */
export type AssistanceMode = 'help' | 'proxy';

export type AgentRelationship = 'staff' | 'employee' | 'relative' | 'guardian' | 'lawyer' | 'other';

export interface Agent {
  name: string;
  /** Resident ID (checked) or another identity document number. */
  idType: 'resident-id' | 'other';
  idNumber: string;
  phone?: string;
  /** The agent's own account, so the case appears in their list too. */
  userId?: string;
  relationship: AgentRelationship;
  /** Staff number of an assisted-service officer (relationship `staff`). */
  staffId?: string;
  /** The organisation the agent acts for or works at (credit code), for handlers of companies. */
  organisation?: string;
}

export interface PowerOfAttorney {
  /** The material slot or upload holding the signed document (授权委托书 / 监护关系证明); absent when e-signed. */
  materialId?: string;
  /** The applicant authorised the agent with an electronic signature (电子签名授权) instead of a paper 委托书. */
  eSigned?: boolean;
  uploadSha256?: string;
  /** YYYY-MM-DD; absent: valid for this application only. */
  validUntil?: string;
  /** Bundle or item codes it authorises; absent: everything in this application. */
  scope?: string[];
  /** Checked in original at the window (原件核验). */
  originalSeen?: boolean;
}

export interface AssistedService {
  mode: AssistanceMode;
  agent: Agent;
  /** Required for 代办 (proxy) except staff helping under a standing arrangement with the applicant present. */
  powerOfAttorney?: PowerOfAttorney;
  /** Why assisted (elderly, disabled, enterprise service…), free text for the record. */
  reason?: string;
  /** The venue where the agent helped (a village station, a window); default the recording clerk's venue. */
  venue?: string;
}

/** What the application keeps: the assisted service, who recorded it, where and when. */
export interface AssistedRecord extends AssistedService {
  recordedBy: string;
  at: number;
}

export interface AssistedContext {
  applicant: { kind: 'person' | 'organisation'; idNumber: string };
  bundleCode: string;
  /** Item codes of the application. */
  items?: string[];
  now: number;
}

const text = (v: unknown, max: number) =>
  typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined;
const todayCst = (now: number) => new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Checks the assisted-service data of an application and returns it normalised; throws one
 * DomainError ('invalid') naming every problem. Rules: the agent is identified (resident ID
 * checked); the agent is not the applicant; 代办 needs a power of attorney (a guardian's proof
 * of guardianship stands in) that has not expired and covers this bundle; staff have a staff id;
 * an organisation is always represented by a handler with a power of attorney.
 */
export function validateAssisted(input: unknown, ctx: AssistedContext): AssistedService {
  const problems: FieldProblem[] = [];
  const add = (field: string, zh: string, en: string) =>
    problems.push({ field: `assisted.${field}`, message: t(zh, en) });
  const raw = (input ?? {}) as Partial<AssistedService> & {
    agent?: Partial<Agent>;
    powerOfAttorney?: Partial<PowerOfAttorney>;
  };
  const mode = raw.mode;
  if (mode !== 'help' && mode !== 'proxy')
    add('mode', '应为 help（帮办）或 proxy（代办）', 'must be help or proxy');
  const a: Partial<Agent> = raw.agent ?? {};
  const name = text(a.name, 50);
  if (!name) add('agent.name', '请填写代理人姓名', "the agent's name is required");
  const relationships: AgentRelationship[] = ['staff', 'employee', 'relative', 'guardian', 'lawyer', 'other'];
  if (!relationships.includes(a.relationship as AgentRelationship))
    add('agent.relationship', '请选择与申请人的关系', 'choose the relationship to the applicant');
  const idType = a.idType ?? 'resident-id';
  let idNumber = text(a.idNumber, 40);
  if (!idNumber) add('agent.idNumber', '请填写代理人证件号码', "the agent's ID number is required");
  else if (idType === 'resident-id') {
    const check = checkResidentId(idNumber, new Date(ctx.now));
    if (!check.ok)
      add('agent.idNumber', '代理人身份证号码无效', "the agent's resident ID number is not valid");
    else idNumber = check.normalised;
  }
  if (idNumber && idNumber.toUpperCase() === ctx.applicant.idNumber.toUpperCase()) {
    add('agent.idNumber', '代理人不能是申请人本人', 'the agent cannot be the applicant');
  }
  if (a.relationship === 'staff' && !text(a.staffId, 40))
    add('agent.staffId', '帮办代办员须填写工号', 'assisted-service staff need a staff number');
  if (a.relationship === 'staff' && mode === 'help' && ctx.applicant.kind === 'organisation') {
    add(
      'mode',
      '企业事项由经办人代办，须提供授权委托书',
      'a company is represented by a handler with a power of attorney (proxy)',
    );
  }

  const needsAttorney = mode === 'proxy' || ctx.applicant.kind === 'organisation';
  const p = raw.powerOfAttorney;
  let powerOfAttorney: PowerOfAttorney | undefined;
  if (p) {
    const materialId = text(p.materialId, 100);
    const eSigned = p.eSigned === true;
    if (!materialId && !eSigned)
      add(
        'powerOfAttorney.materialId',
        '请上传授权委托书，或由申请人电子签名授权',
        'upload the power of attorney, or have the applicant authorise by e-signature',
      );
    if (p.uploadSha256 !== undefined && !/^[0-9a-f]{64}$/.test(p.uploadSha256))
      add('powerOfAttorney.uploadSha256', '文件摘要格式有误', 'not a SHA-256 hex digest');
    if (p.validUntil !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(p.validUntil))
        add('powerOfAttorney.validUntil', '日期格式应为 YYYY-MM-DD', 'the date must be YYYY-MM-DD');
      else if (p.validUntil < todayCst(ctx.now))
        add('powerOfAttorney.validUntil', '授权委托书已过期', 'the power of attorney has expired');
    }
    if (
      p.scope?.length &&
      !p.scope.includes(ctx.bundleCode) &&
      !(ctx.items ?? []).every((i) => p.scope!.includes(i))
    ) {
      add(
        'powerOfAttorney.scope',
        '授权范围不包含本次申请的事项',
        'the power of attorney does not cover this application',
      );
    }
    if (materialId || eSigned) {
      powerOfAttorney = {
        ...(materialId ? { materialId } : {}),
        ...(eSigned ? { eSigned } : {}),
        ...(p.uploadSha256 ? { uploadSha256: p.uploadSha256 } : {}),
        ...(p.validUntil ? { validUntil: p.validUntil } : {}),
        ...(p.scope?.length ? { scope: [...p.scope] } : {}),
        ...(p.originalSeen !== undefined ? { originalSeen: !!p.originalSeen } : {}),
      };
    }
  } else if (needsAttorney) {
    add(
      'powerOfAttorney',
      a.relationship === 'guardian' ? '监护人代办须提供监护关系证明' : '代办须提供授权委托书',
      a.relationship === 'guardian'
        ? 'a guardian acting for the applicant needs proof of guardianship'
        : 'acting for the applicant needs a power of attorney',
    );
  }
  if (problems.length)
    throw new DomainError('invalid', t('帮办代办信息有误', 'the assisted-service data is invalid'), problems);
  const agent: Agent = {
    name: name!,
    idType,
    idNumber: idNumber!,
    relationship: a.relationship as AgentRelationship,
    ...(text(a.phone, 20) ? { phone: text(a.phone, 20)! } : {}),
    ...(text(a.userId, 100) ? { userId: text(a.userId, 100)! } : {}),
    ...(text(a.staffId, 40) ? { staffId: text(a.staffId, 40)! } : {}),
    ...(text(a.organisation, 40) ? { organisation: text(a.organisation, 40)! } : {}),
  };
  return {
    mode: mode!,
    agent,
    ...(powerOfAttorney ? { powerOfAttorney } : {}),
    ...(text(raw.reason, 500) ? { reason: text(raw.reason, 500)! } : {}),
    ...(text(raw.venue, 100) ? { venue: text(raw.venue, 100)! } : {}),
  };
}

/** How the applicant authorised the agent, for timelines and audit entries. */
export const authorisationOf = (a: AssistedService): 'e-signature' | 'power-of-attorney' | 'none' =>
  a.powerOfAttorney?.eSigned ? 'e-signature' : a.powerOfAttorney ? 'power-of-attorney' : 'none';

/** Whether the agent must hold the applicant's authorisation: 代办, or any company handler. */
export const needsAuthorisation = (assisted: AssistedService, applicantKind: 'person' | 'organisation') =>
  assisted.mode === 'proxy' || applicantKind === 'organisation';

/**
 * At acceptance the window checks the authorisation itself (不见面 is not enough for 代办): an
 * e-signature, an uploaded copy with its digest, or the original seen at the window.
 */
export function checkAuthorisationAtAcceptance(
  assisted: AssistedService,
  applicantKind: 'person' | 'organisation',
): void {
  const p = assisted.powerOfAttorney;
  if (!needsAuthorisation(assisted, applicantKind) || p?.eSigned || p?.uploadSha256 || p?.originalSeen)
    return;
  throw new DomainError(
    'invalid',
    t('受理前须核验授权委托书', 'the power of attorney must be verified before acceptance'),
    [
      {
        field: 'assisted.powerOfAttorney',
        message: t(
          '请上传委托书（附文件摘要）、核验原件（originalSeen）或由申请人电子签名授权',
          'upload it (with its digest), check the original (originalSeen), or have the applicant e-sign',
        ),
      },
    ],
  );
}

/** JSON Schema of the assisted-service input, for the HTTP layer (the Centre's create/accept bodies). */
export const AssistedServiceSchema = {
  type: 'object',
  description:
    '帮办代办: help (帮办, staff help the present applicant) or proxy (代办, an agent acts with the applicant’s power of attorney or e-signature).',
  additionalProperties: false,
  properties: {
    mode: { enum: ['help', 'proxy'] },
    agent: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 50 },
        idType: { enum: ['resident-id', 'other'] },
        idNumber: { type: 'string', minLength: 1, maxLength: 40 },
        phone: { type: 'string', maxLength: 20 },
        userId: { type: 'string', maxLength: 100 },
        relationship: { enum: ['staff', 'employee', 'relative', 'guardian', 'lawyer', 'other'] },
        staffId: { type: 'string', maxLength: 40 },
        organisation: { type: 'string', maxLength: 40 },
      },
      required: ['name', 'idNumber', 'relationship'],
    },
    powerOfAttorney: {
      type: 'object',
      additionalProperties: false,
      properties: {
        materialId: { type: 'string', minLength: 1, maxLength: 100 },
        eSigned: { type: 'boolean', description: 'the applicant authorised by e-signature (电子签名授权)' },
        uploadSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        validUntil: { type: 'string', format: 'date' },
        scope: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
        originalSeen: { type: 'boolean' },
      },
    },
    reason: { type: 'string', maxLength: 500 },
    venue: { type: 'string', maxLength: 100, description: 'where the agent helped (a venue of the network)' },
  },
  required: ['mode', 'agent'],
} as const;
