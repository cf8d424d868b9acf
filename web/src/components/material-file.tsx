/**
 * The file of one material (材料文件): the clerk picks the scan, sees it go up, then its name, size
 * and the first characters of its SHA-256 (the same digest the departments and the audit see);
 * the server's refusal (too large, not really a PDF…) stays next to the material. Anyone who may
 * read the case's material opens it here: the download needs the token, so it is fetched as a
 * blob and handed to the browser through an object URL.
 */
import { useId, useState } from 'react';
import type { Application, MaterialEntry } from '../api.js';
import { useApp } from '../context.js';
import { asApiError, type ApiError } from '../lib/problems.js';
import { FieldError } from './common.js';

type StoredFile = NonNullable<MaterialEntry['file']>;

/**
 * While the window may still change a case's material files (the server's
 * MATERIAL_FILE_STATUSES.clerk in engine/src/applications/centre.ts, which refuses the rest).
 */
const WINDOW_UPLOADS: readonly Application['status'][] = [
  'draft',
  'submitted',
  'returned',
  'in-progress',
  'awaiting-supplement',
];
export const windowMayUpload = (status: Application['status']) => WINDOW_UPLOADS.includes(status);

/** What the picker offers; the server checks the real type from the content whatever is picked. */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png';

/** 1536 → "1.5 KB": sizes as a clerk reads them. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Fetches the stored file and lets the browser open or save it under its uploaded name. */
export function MaterialFileLink({
  applicationId,
  material,
  file,
}: {
  applicationId: string;
  material: Pick<MaterialEntry, 'id' | 'name'>;
  file: StoredFile;
}) {
  const { api, t, tx, lang } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const open = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await api.materialFile(applicationId, material.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file.name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The browser has taken the blob once the click is handled; keep the URL a moment for slow viewers.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className="material-file-link">
      <button
        type="button"
        className="link"
        data-testid={`open-file-${material.id}`}
        disabled={busy}
        aria-label={t('files.openNamed', { name: tx(material.name) })}
        onClick={() => void open()}
      >
        {busy ? t('files.opening') : t('files.open')}
      </button>
      <FieldError message={error?.summary(lang)} />
    </span>
  );
}

/** Name, size and SHA-256 prefix of a stored file. */
export function FileFacts({ file }: { file: StoredFile }) {
  const { t } = useApp();
  return (
    <span className="file-facts small">
      {file.name} · {fileSize(file.size)} ·{' '}
      <abbr title={`SHA-256 ${file.sha256}`}>
        SHA-256 <code data-testid="file-sha">{file.sha256.slice(0, 8)}</code>
      </abbr>{' '}
      <span className="muted">{t('files.by', { user: file.uploadedBy })}</span>
    </span>
  );
}

/** A stored file with its facts and the button that opens it. */
export function StoredMaterialFile(props: {
  applicationId: string;
  material: Pick<MaterialEntry, 'id' | 'name'>;
  file: StoredFile;
}) {
  return (
    <span className="stored-file" data-testid="stored-file">
      <FileFacts file={props.file} /> <MaterialFileLink {...props} />
    </span>
  );
}

/** Picker, progress, stored file and error for one material; `canUpload` false shows only the stored file. */
export function MaterialFile({
  applicationId,
  material,
  canUpload,
}: {
  applicationId: string;
  material: Pick<MaterialEntry, 'id' | 'name' | 'file'>;
  canUpload: boolean;
}) {
  const { api, t, tx, lang } = useApp();
  const inputId = useId();
  const errorId = `${inputId}-error`;
  const [file, setFile] = useState<StoredFile | undefined>(material.file);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const upload = async (picked: File) => {
    setError(null);
    setProgress(0);
    try {
      const entry = await api.uploadMaterialFile(applicationId, material.id, picked, setProgress);
      setFile(entry.file);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setProgress(null);
    }
  };
  return (
    <div className="material-file" data-testid={`file-${material.id}`}>
      {file ? (
        <StoredMaterialFile applicationId={applicationId} material={material} file={file} />
      ) : (
        !canUpload && <span className="muted small">{t('files.none')}</span>
      )}
      {canUpload && (
        <div className="file-pick">
          <label htmlFor={inputId}>
            {t(file ? 'files.replace' : 'files.pick', { name: tx(material.name) })}
          </label>{' '}
          <input
            id={inputId}
            type="file"
            accept={ACCEPT}
            name={`file-${material.id}`}
            disabled={progress !== null}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => {
              const picked = e.currentTarget.files?.[0];
              // Cleared so that picking the same file again (after fixing it) uploads again.
              e.currentTarget.value = '';
              if (picked) void upload(picked);
            }}
          />
        </div>
      )}
      {progress !== null && (
        <div className="upload-progress" role="status" aria-live="polite" data-testid="uploading">
          <progress max={1} value={progress} aria-label={t('files.uploading')} />{' '}
          {t('files.uploadingPct', { pct: Math.round(progress * 100) })}
        </div>
      )}
      <FieldError message={error?.summary(lang)} id={errorId} />
    </div>
  );
}
