/** The service network: regions, departments and venues; jurisdiction routing; appointments and queue tickets; assisted service; public guides. */
export * from './types.js';
export {
  DEFAULT_APPOINTMENTS,
  DEFAULT_HOURS,
  loadNetwork,
  loadNetworkFile,
  NetworkError,
  ZHUHAI_NETWORK_FILE,
} from './load.js';
export {
  ancestorAt,
  competentDepartment,
  implementationOf,
  jurisdictionRegion,
  mayAccept,
  regionOf,
  routeApplication,
  stationOf,
  venuesFor,
  within,
  type Competent,
  type CompetentQuery,
  type RoutedItem,
  type Routing,
} from './routing.js';
export {
  APPOINTMENT_INDEXES,
  APPOINTMENTS,
  AppointmentBook,
  SLOTS,
  slotId,
  slotOfAppointment,
  type Appointment,
  type Booking,
  type SlotDoc,
  type SlotView,
} from './appointments.js';
export {
  COUNTERS,
  QUEUE_INDEXES,
  QueueDesk,
  queueKey,
  TICKETS,
  type GreenReason,
  type Priority,
  type QueueStats,
  type Ticket,
  type WindowTypeFigures,
} from './queue.js';
export {
  AssistedServiceSchema,
  authorisationOf,
  checkAuthorisationAtAcceptance,
  needsAuthorisation,
  validateAssisted,
  type Agent,
  type AssistedContext,
  type AssistedRecord,
  type AssistedService,
  type PowerOfAttorney,
} from './assisted.js';
export {
  buildGuide,
  cleanAnswers,
  type Guide,
  type GuideItem,
  type GuideMaterial,
  type GuideVenue,
} from './guide.js';

import { APPOINTMENT_INDEXES } from './appointments.js';
import { QUEUE_INDEXES } from './queue.js';

/** Indexes of the network's collections, to merge into DOC_INDEXES (domain/open-docs.ts). */
export const NETWORK_DOC_INDEXES: Record<string, string[][]> = { ...APPOINTMENT_INDEXES, ...QUEUE_INDEXES };
