/** The service network: regions, departments and venues; jurisdiction routing. */
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
