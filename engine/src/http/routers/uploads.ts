/**
 * Material files (材料文件): the clerk, or the applicant on their own case, uploads the file of one
 * material of an application; the accepting side, the applicant and the departments whose items
 * need that material (远程流转: the deciding department reads it electronically) download it.
 *
 * The upload is the raw request body with its Content-Type, streamed into the upload store
 * (forms/src/uploads): the size limit is enforced while the bytes arrive (and up front from
 * Content-Length), the real type is detected from the content, SHA-256 computed on the way; a
 * refused upload keeps nothing. The application records the hash, size, detected type and
 * content address on the material entry, never the bytes.
 */
import type { Request } from 'express';
import { MATERIAL_FILE_STATUSES } from '../../applications/centre.js';
import type { Application, MaterialEntry } from '../../applications/types.js';
import type { Text } from '../../domain/errors.js';
import {
  UploadRefused,
  UploadUnreadable,
  type UploadPolicy,
  type UploadProblem,
  type UploadStore,
} from '../../../../forms/src/uploads/index.js';
import type { AppContext } from '../context.js';
import { HttpProblem, type ProblemKind } from '../problem.js';
import { reply, type Resource, type RouteContext } from '../route.js';
import { idParam, named } from '../schemas.js';

const MaterialFile = named('MaterialFile', {
  type: 'object',
  description: 'The checked file of a material: what its content really is and its SHA-256; never the bytes',
  properties: {
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    size: { type: 'integer', minimum: 1 },
    mime: { type: 'string', description: 'Detected from the content, not from the name' },
    path: { type: 'string', description: 'Content address in the upload store' },
    name: { type: 'string' },
    uploadedAt: { type: 'integer' },
    uploadedBy: { type: 'string' },
  },
  required: ['sha256', 'size', 'mime', 'path', 'name', 'uploadedAt', 'uploadedBy'],
});

const MaterialEntrySchema = named('MaterialEntry', {
  type: 'object',
  description: 'One material of an application, with its uploaded file when there is one',
  properties: {
    id: { type: 'string' },
    name: { type: 'object' },
    required: { type: 'boolean' },
    items: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    uploadSha256: { type: 'string' },
    file: MaterialFile,
  },
  required: ['id', 'name', 'items', 'status'],
});

const params = { id: idParam, materialId: { type: 'string', minLength: 1, maxLength: 100 } };

/** Each store refusal as the HTTP problem that says what to do about it. */
const REFUSALS: Record<UploadProblem, ProblemKind> = {
  tooLarge: 'payload-too-large',
  unknownType: 'unsupported-media-type',
  typeNotAllowed: 'unsupported-media-type',
  nameMismatch: 'validation',
  empty: 'validation',
};

const sizeText = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** "材料“身份证明”（identityProof）：…" — every message names the material it is about. */
function aboutMaterial(material: Pick<MaterialEntry, 'id' | 'name'>, text: Text): Text {
  return {
    zh: `材料“${material.name.zh}”（${material.id}）：${text.zh}`,
    en: `material "${material.name.en}" (${material.id}): ${text.en}`,
  };
}

/** The file name from `Content-Disposition: attachment; filename*=UTF-8''…` or `filename="…"`, without any folder. */
export function uploadedName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header);
  let name: string | undefined;
  try {
    name = extended ? decodeURIComponent(extended[1]!.trim()) : undefined;
  } catch {
    name = undefined;
  }
  name ??= plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : undefined;
  const base = name?.split(/[\\/]/).pop();
  // eslint-disable-next-line no-control-regex -- control characters never belong in a file name
  const clean = base?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean ? clean.slice(-200) : undefined;
}

/** `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266), so 营业执照.pdf arrives as itself. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function materialFileResource(deps: AppContext, uploads: UploadStore): Resource {
  const { centre } = deps;
  const policy: UploadPolicy = uploads.policy;
  const accepted = Object.entries(policy.types);
  const acceptedText: Text = {
    zh: accepted.map(([, t]) => t.label.zh).join('、'),
    en: accepted.map(([, t]) => t.label.en).join(', '),
  };

  /** The material as this actor may see it: a department sees only the materials its items need. */
  const materialOf = (app: Application, materialId: string): MaterialEntry => {
    const material = app.materials.find((m) => m.id === materialId);
    if (!material) {
      throw new HttpProblem(
        'not-found',
        {
          zh: `办件 ${app.id} 没有材料 ${materialId}`,
          en: `application ${app.id} has no material ${materialId}`,
        },
        [
          {
            field: 'materialId',
            message: {
              zh: `${materialId} 不是本办件的材料`,
              en: `${materialId} is not a material of this case`,
            },
          },
        ],
      );
    }
    return material;
  };

  /** Everything that can be refused before a byte is read: state, declared type, declared size. */
  const precheck = (req: Request, material: MaterialEntry) => {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const type = policy.types[mediaType];
    if (!type) {
      throw new HttpProblem(
        'unsupported-media-type',
        aboutMaterial(material, {
          zh: `请以文件的类型作为 Content-Type 上传（收到 ${mediaType || '无'}）；只接受：${acceptedText.zh}`,
          en: `send the file with its type as Content-Type (got ${mediaType || 'none'}); accepted: ${acceptedText.en}`,
        }),
        [
          {
            field: 'Content-Type',
            message: { zh: `只接受：${acceptedText.zh}`, en: `accepted: ${acceptedText.en}` },
          },
        ],
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > policy.maxBytes) throw tooLarge(material, declared);
    return { mediaType, ext: type.extensions[0]! };
  };

  const tooLarge = (material: MaterialEntry, declared?: number) =>
    new HttpProblem(
      'payload-too-large',
      aboutMaterial(material, {
        zh: `文件超过大小上限 ${sizeText(policy.maxBytes)}${declared ? `（声明大小 ${sizeText(declared)}）` : ''}`,
        en: `the file is larger than the limit of ${sizeText(policy.maxBytes)}${declared ? ` (declared ${sizeText(declared)})` : ''}`,
      }),
      [
        {
          field: 'file',
          message: { zh: `上限 ${sizeText(policy.maxBytes)}`, en: `limit ${sizeText(policy.maxBytes)}` },
        },
      ],
      // The rest of the body is not read: the connection closes after this answer.
      { Connection: 'close' },
    );

  const upload = async ({ actor, params: p, req }: RouteContext) => {
    const app = await centre.getApplication(actor, p.id);
    const material = materialOf(app, p.materialId);
    const open = MATERIAL_FILE_STATUSES[actor.role === 'applicant' ? 'applicant' : 'clerk'];
    if (!open.includes(app.status)) {
      throw new HttpProblem(
        'state-invalid',
        aboutMaterial(material, {
          zh: `办件状态为 ${app.status}，不能再上传材料文件`,
          en: `the case is ${app.status}; its material files can no longer be changed`,
        }),
      );
    }
    const { ext } = precheck(req, material);
    const name = uploadedName(req.headers['content-disposition']) ?? `${material.id}.${ext}`;
    let stored;
    try {
      // Not destroyed when the store stops early: the refusal still has to reach the client.
      stored = await uploads.put(req.iterator({ destroyOnReturn: false }), name);
    } catch (err) {
      if (!(err instanceof UploadRefused)) throw err;
      if (err.problem === 'tooLarge') throw tooLarge(material);
      throw new HttpProblem(REFUSALS[err.problem], aboutMaterial(material, err.text), [
        { field: 'file', message: err.text },
      ]);
    }
    return centre.attachMaterialFile(actor, app.id, material.id, {
      sha256: stored.sha256,
      size: stored.size,
      mime: stored.mime,
      path: stored.path,
      name: stored.originalName,
    });
  };

  /** A kept file that was changed (or whose key is gone) is refused, never served. */
  const unreadable = (application: string, material: MaterialEntry) => (err: unknown) => {
    if (!(err instanceof UploadUnreadable)) throw err;
    deps.logger.error({ application, material: material.id, reason: err.reason }, err.message);
    throw new HttpProblem(
      'internal',
      aboutMaterial(material, {
        zh: '存储的文件未通过完整性校验（上传后被改动或密钥不可用），不予提供',
        en: 'the stored file failed its integrity check (changed after upload, or its key is not available); it is not served',
      }),
    );
  };

  const download = async ({ actor, params: p }: RouteContext) => {
    const app = await centre.getApplication(actor, p.id);
    const material = materialOf(app, p.materialId);
    const file = material.file;
    const bytes = file ? await uploads.read(file.path).catch(unreadable(app.id, material)) : undefined;
    if (!file || !bytes) {
      if (file)
        deps.logger.error(
          { application: app.id, material: material.id },
          'a recorded material file is missing',
        );
      throw new HttpProblem(
        'not-found',
        aboutMaterial(material, { zh: '尚未上传文件', en: 'no file has been uploaded' }),
      );
    }
    return reply({
      headers: {
        'Content-Type': file.mime,
        'Content-Length': String(file.size),
        'Content-Disposition': contentDisposition(file.name),
        'Cache-Control': 'private, no-store',
        ETag: `"${file.sha256}"`,
      },
      stream: bytes,
    });
  };

  const target = (ctx: RouteContext) => `application:${ctx.params.id}/material:${ctx.params.materialId}`;
  return {
    name: 'material-files',
    description: { zh: '材料文件：上传与调阅', en: 'Material files: upload and download' },
    base: '/api/applications',
    routes: [
      {
        method: 'put',
        path: '/:id/materials/:materialId/file',
        operationId: 'materials.upload',
        summary: {
          zh: `上传一项材料的文件（请求体为文件本身，Content-Type 为其类型；上限 ${sizeText(policy.maxBytes)}；类型按内容识别）`,
          en: `Upload the file of one material (the body is the file, Content-Type its type; at most ${sizeText(policy.maxBytes)}; the type is checked from the content)`,
        },
        roles: ['clerk', 'applicant'],
        params,
        rawBody: { contentTypes: accepted.map(([mime]) => mime) },
        response: { schema: MaterialEntrySchema },
        errors: [404, 409, 413, 415, 422],
        target,
        handler: upload,
      },
      {
        method: 'get',
        path: '/:id/materials/:materialId/file',
        operationId: 'materials.download',
        audit: true,
        summary: {
          zh: '调阅一项材料的文件（受理窗口、申请人、需要该材料的审批部门）',
          en: 'Download the file of one material (the accepting side, the applicant, the departments whose items need it)',
        },
        roles: ['clerk', 'applicant', 'department'],
        params,
        response: {
          contentType: 'application/octet-stream',
          schema: { type: 'string', format: 'binary' },
          description: {
            zh: '文件内容，Content-Type 为识别出的类型',
            en: 'The file, with its detected type as Content-Type',
          },
        },
        errors: [404],
        target,
        handler: download,
      },
    ],
  };
}
