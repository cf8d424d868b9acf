/** 水电气网联合报装 Joint utility connection, through the service centre. */
import { describeBundle } from './scenarios.js';

/** A new project: large power, commercial gas, broadband, and a route under a road and green land. */
const newProject = {
  projectCode: '2026-440402-44-01-123456',
  planningPermitNo: '建字第440402202600123号',
  powerKw: 400,
  voltageLevel: '10kV',
  gasUse: 'commercial',
  gasPeakM3PerHour: 12,
  gasAppliances: ['中餐燃气炒菜灶'],
  broadbandOperator: '中国电信',
  bandwidthMbps: 500,
  lines: 2,
  roadName: '人民东路',
  digLengthM: 30,
  digWidthM: 1.2,
  digStart: '2026-12-07',
  digEnd: '2026-12-18',
  contractorCreditCode: '91440400MA4W12346M',
  contractorContact: { name: '钱八', mobile: '13700002222' },
  greenAreaM2: 20,
  treesAffected: 2,
};

describeBundle({
  code: 'utility-connection',
  variants: [
    {
      name: 'existing building: low-voltage power and water',
      items: ['electricity-connection', 'water-connection'],
      visits: ['electricityLow', 'water'],
      avoids: ['electricityHigh', 'roadExcavation'],
    },
    {
      name: 'new project: 400 kW, commercial gas, broadband, crossing a road and green land',
      answers: {
        projectType: 'new',
        utilities: ['electricity', 'gas', 'broadband'],
        powerKw: 400,
        gasUse: 'commercial',
        crossesRoad: 'yes',
        affectsTraffic: true,
        greenLand: true,
      },
      data: newProject,
      items: [
        'electricity-connection',
        'gas-connection',
        'broadband-connection',
        'road-excavation',
        'traffic-consent',
        'green-land',
      ],
      visits: ['electricityHigh', 'gas', 'broadband', 'roadExcavation', 'trafficConsent', 'greenLand'],
      avoids: ['electricityLow', 'water'],
    },
  ],
  supplement: {
    item: 'water-connection',
    entries: [
      { materialId: 'sitePlan', problem: '总平面图未标注用水接入点', requirement: '标注接入点和水表位置' },
    ],
    materials: [{ id: 'sitePlan', status: 'provided' }],
  },
  rejection: { item: 'water-connection', terminated: [] },
  deferral: { material: 'sitePlan' },
});
