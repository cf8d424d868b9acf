/** 新生儿出生 Newborn birth, through the service centre. */
import { describeBundle } from './scenarios.js';
import { APPLICANTS, clerk, DAY, Desk, dept, sample } from './support.js';

const all = [
  'birth-certificate',
  'vaccination-certificate',
  'birth-registration',
  'medical-enrolment',
  'social-security-card',
];

describeBundle({
  code: 'newborn',
  variants: [
    {
      name: 'born in a city hospital, household here, parents married, insurance and card',
      items: all,
      visits: ['birthCertificate', 'vaccination', 'registration', 'medicalEnrolment', 'socialSecurityCard'],
      avoids: ['registrationReview'],
    },
    {
      name: 'born in another province: the paper certificate is checked with its issuer (special step)',
      answers: { birthPlace: 'outOfProvince', enrolMedical: false, wantCard: false },
      items: ['vaccination-certificate', 'birth-registration'],
      visits: ['registrationVerified', 'vaccination'],
      avoids: [
        'birthCertificate',
        'registration',
        'registrationReview',
        'medicalEnrolment',
        'socialSecurityCard',
      ],
    },
    {
      name: 'born elsewhere in the province, parents not married: parentage reviewed at registration',
      answers: {
        birthPlace: 'provinceHospital',
        parentsMarried: false,
        enrolMedical: false,
        wantCard: false,
      },
      items: ['vaccination-certificate', 'birth-registration'],
      visits: ['registrationReview'],
      avoids: [
        'birthCertificate',
        'registration',
        'registrationVerified',
        'medicalEnrolment',
        'socialSecurityCard',
      ],
    },
    {
      name: 'household in another city: registered there, insurance and card here',
      answers: { hukouInCity: false, cardDelivery: 'bankOutlet' },
      items: ['birth-certificate', 'vaccination-certificate', 'medical-enrolment', 'social-security-card'],
      visits: ['birthCertificate', 'medicalEnrolment', 'socialSecurityCard'],
      avoids: ['registration', 'registrationReview', 'registrationVerified'],
    },
    {
      name: 'certificate refused: registration, insurance and card cannot follow',
      decisions: { 'birth-certificate': 'reject' },
      items: all,
      terminated: ['birth-registration', 'medical-enrolment', 'social-security-card'],
      avoids: ['registration', 'medicalEnrolment'],
    },
    {
      name: 'registration refused: no citizen ID number for insurance and card',
      decisions: { 'birth-registration': 'reject' },
      items: all,
      terminated: ['medical-enrolment', 'social-security-card'],
      avoids: ['medicalEnrolment', 'socialSecurityCard'],
    },
  ],
  supplement: {
    item: 'birth-registration',
    entries: [
      {
        materialId: 'householdBooklet',
        problem: '户口簿户主页不清晰',
        requirement: '重新扫描户主页和本人页',
      },
    ],
    materials: [{ id: 'householdBooklet', status: 'provided' }],
  },
  rejection: { item: 'birth-registration', terminated: ['medical-enrolment', 'social-security-card'] },
  deferral: { material: 'babyPhoto' },
});

/**
 * Born in another province: the medical certificate of birth was issued outside the province's
 * e-licence system, so it cannot be verified electronically. The original is shown at the window
 * (no e-licence, no 容缺, no 告知承诺) and the police station checks it with the issuing
 * province before registering: a special step, so those days do not count against the limit.
 */
describe.each([false, true])('newborn born in another province (over HTTP: %s)', (http) => {
  const outOfProvince = { ...sample('newborn').answers, birthPlace: 'outOfProvince' };

  it('asks for the paper original instead of the e-licence certificate', async () => {
    const desk = await Desk.open({ codes: ['newborn'], http });
    const app = await desk.submitted('newborn', outOfProvince);
    expect(app.materials.find((m) => m.id === 'birthCertificate')).toBeUndefined();
    const paper = app.materials.find((m) => m.id === 'outOfProvinceBirthCertificate')!;
    expect(paper).toMatchObject({ name: { zh: '出生医学证明原件（外省签发）' }, required: true });
    expect(paper.items).toEqual(['birth-registration']);
    expect(paper.eLicenceType).toBeUndefined();
    expect(paper.deferrable).toBeFalsy();
    expect(paper.commitment).toBeFalsy();
    const inProvince = await desk.submitted('newborn');
    expect(inProvince.materials.map((m) => m.id)).not.toContain('outOfProvinceBirthCertificate');
  });

  it('refuses a birth-certificate e-licence or a deferral in place of the original', async () => {
    const desk = await Desk.open({ codes: ['newborn'], http });
    // An earlier baby born here: its certificate is an e-licence held by the same parent.
    const earlier = await desk.accepted('newborn');
    await desk.decideAll(earlier.id);
    const [licence] = (await desk.centre.listLicences(clerk, APPLICANTS.newborn.idNumber)).filter(
      (l) => l.typeCode === 'birth-certificate',
    );
    expect(licence).toBeDefined();
    const app = await desk.submitted('newborn', outOfProvince);
    await expect(
      desk.accept(app, [{ id: 'outOfProvinceBirthCertificate', status: 'eLicence', licenceId: licence!.id }]),
    ).rejects.toMatchObject({ code: 'invalid' });
    await expect(
      desk.accept(app, [{ id: 'outOfProvinceBirthCertificate', status: 'deferred' }]),
    ).rejects.toMatchObject({ code: 'invalid' });
    expect((await desk.get(app.id)).status).toBe('submitted');
  });

  it('registration waits for the check with the issuing province as a special step: the clock stops', async () => {
    const desk = await Desk.open({ codes: ['newborn'], http });
    const app = await desk.accepted('newborn', outOfProvince);
    await desk.centre.approve(dept('vaccination-clinic'), `${app.id}:vaccination-certificate`, {});
    const waiting = await desk.get(app.id);
    expect(waiting.items.find((i) => i.item === 'birth-registration')).toMatchObject({
      status: 'reviewing',
      specialStep: true,
    });
    expect(waiting.pauses).toEqual([{ from: desk.now, reason: 'special-step' }]);
    const from = desk.now;
    desk.advance(3 * DAY); // the issuing province answers on Thursday
    await desk.centre.approve(dept('police-station'), `${app.id}:birth-registration`, {});
    const done = await desk.decideAll(app.id);
    expect(done.status).toBe('results-ready');
    expect(done.pauses).toEqual([{ from, to: desk.now, reason: 'special-step' }]);
    expect(done.deadline!).toBeGreaterThan(app.deadline!); // the days of the check do not count
    expect(await desk.path(done)).toContain('registrationVerified');
  });
});

/**
 * Born in a hospital elsewhere in Guangdong: that hospital has issued the certificate, an e-licence
 * of the province. The city's hospital issues certificates only for births in the city (在本市助产
 * 机构出生), so there is no certificate item: the e-licence is a material of the registration.
 */
describe('newborn born in a hospital elsewhere in the province', () => {
  const inProvince = { ...sample('newborn').answers, birthPlace: 'provinceHospital' };

  it('has no certificate item; the certificate is a material the e-licence satisfies', async () => {
    const desk = await Desk.open({ codes: ['newborn'] });
    const earlier = await desk.accepted('newborn'); // a baby born here: its certificate is an e-licence
    await desk.decideAll(earlier.id);
    const [licence] = (await desk.centre.listLicences(clerk, APPLICANTS.newborn.idNumber)).filter(
      (l) => l.typeCode === 'birth-certificate',
    );
    const app = await desk.submitted('newborn', inProvince);
    expect(app.items.map((i) => i.item)).not.toContain('birth-certificate');
    expect(app.materials.map((m) => m.id)).not.toContain('birthCertificate');
    expect(app.materials.find((m) => m.id === 'provinceBirthCertificate')).toMatchObject({
      required: true,
      status: 'missing',
      eLicenceType: 'birth-certificate',
      items: ['birth-registration'],
    });
    const accepted = await desk.accept(app, [
      { id: 'provinceBirthCertificate', status: 'eLicence', licenceId: licence!.id },
    ]);
    expect(accepted.status).toBe('in-progress');
    const hospital = await desk.centre.listTasks(dept('hospital'), { state: 'open' });
    expect(hospital.items).toEqual([]);
  });
});

/**
 * The birth certificate's number: when the city's hospital issues the certificate in this case,
 * the applicant is not asked for it; the police station registers against the number the hospital
 * gave (its result). Only a certificate from elsewhere has its number typed by the applicant.
 */
describe('newborn: the birth certificate number', () => {
  const HOSPITAL_NUMBER = 'Q440567890';
  const { birthCertNo: typed, ...withoutNumber } = sample('newborn').data;
  const registration = (id: string) => `${id}:birth-registration`;

  it('is not asked of the applicant when the hospital issues the certificate in this case', async () => {
    const desk = await Desk.open({ codes: ['newborn'] });
    const app = await desk.accepted('newborn', undefined, withoutNumber);
    expect(app.status).toBe('in-progress');
    // A number typed anyway does not apply, so it is not kept.
    expect((await desk.accepted('newborn')).data).not.toHaveProperty('birthCertNo');

    await desk.centre.approve(dept('hospital'), `${app.id}:birth-certificate`, {
      outputs: { birthCertNo: HOSPITAL_NUMBER },
    });
    const task = await desk.centre.getTask(dept('police-station'), registration(app.id));
    expect(task.payload).not.toHaveProperty('birthCertNo');
    expect(task.upstreamResults).toEqual([
      expect.objectContaining({
        item: 'birth-certificate',
        outputs: [expect.objectContaining({ key: 'birthCertNo', value: HOSPITAL_NUMBER })],
      }),
    ]);
  });

  it.each(['provinceHospital', 'outOfProvince'])(
    'born at %s: the applicant types the number and the police station reads it',
    async (birthPlace) => {
      const desk = await Desk.open({ codes: ['newborn'] });
      const answers = { ...sample('newborn').answers, birthPlace };
      await expect(desk.submitted('newborn', answers, withoutNumber)).rejects.toMatchObject({
        code: 'invalid',
        fieldErrors: [expect.objectContaining({ field: 'data.birthCertNo' })],
      });
      const app = await desk.accepted('newborn', answers);
      await desk.centre.approve(dept('vaccination-clinic'), `${app.id}:vaccination-certificate`, {});
      const task = await desk.centre.getTask(dept('police-station'), registration(app.id));
      expect(task.payload).toMatchObject({ birthCertNo: typed });
      expect(task.upstreamResults).toBeUndefined();
    },
  );
});
