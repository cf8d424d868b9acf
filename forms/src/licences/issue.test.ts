import { readExampleBundle } from '../bundle/examples.js';
import { samples } from '../testing/samples.js';
import { licenceContentFor } from './issue.js';

describe('licenceContentFor', () => {
  it('takes the type and the declared fields of the approved item', () => {
    const bundle = readExampleBundle('business-startup');
    expect(licenceContentFor(bundle, 'enterprise-registration', samples['business-startup']!)).toEqual({
      typeCode: 'business-licence',
      holder: 'resultNumber',
      data: {
        companyName: '珠海市香洲区某某科技有限公司',
        enterpriseType: 'llc',
        regionCode: '440402',
        address: '珠海市香洲区人民东路1号',
        businessScope: ['软件开发', '信息技术咨询服务'],
        registeredCapital: 100,
        legalRepName: '张三',
      },
    });
  });

  it('returns nothing for an item that issues no licence, and skips absent values', () => {
    const bundle = readExampleBundle('newborn');
    expect(licenceContentFor(bundle, 'vaccination-certificate', samples.newborn!)).toBeUndefined();
    expect(licenceContentFor(bundle, 'birth-certificate', { babyName: '张小明' })).toEqual({
      typeCode: 'birth-certificate',
      holder: 'applicant',
      data: { babyName: '张小明' },
    });
  });
});
