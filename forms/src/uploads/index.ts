export { detectType } from './detect.js';
export { defaultUploadPolicy, UploadRefused, type UploadPolicy, type UploadProblem } from './policy.js';
export { isContentPath, type StoredUpload, type UploadSource } from './receive.js';
export { FileUploadStore, storeUpload, type KeptUpload, type UploadStore } from './store.js';
export type { GridFsUploadStore } from './gridfs.js';
export { openUploadStore, uploadStoreBeside } from './open.js';
export { SEAL_MARKER, SEAL_MARKERS, UploadUnreadable, type UploadKeys } from './sealed.js';
