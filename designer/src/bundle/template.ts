/**
 * "New bundle from a template": a small bundle (two departments, one situation question, three
 * materials, two items) and its process: accepted → department registration → by situation, the
 * tax item → delivery at the window. Analysts rename and extend it.
 */
import type { BundleDefinition } from '../../../forms/src/bundle/types.js';

export interface Draft {
  bundle: BundleDefinition;
  xml: string;
}

export function templateBundle(code = 'new-bundle'): BundleDefinition {
  return {
    code,
    version: '1.0.0',
    name: { zh: '新建一件事', en: 'New bundle' },
    leadDepartment: 'market-regulation',
    promisedDays: 3,
    departments: [
      {
        code: 'market-regulation',
        name: { zh: '市场监督管理局', en: 'Market Regulation Bureau' },
        kind: 'authority',
      },
      { code: 'tax', name: { zh: '税务局', en: 'Tax Bureau' }, kind: 'authority' },
    ],
    questions: [
      {
        id: 'needsInvoice',
        label: { zh: '是否需要申领发票？', en: 'Do you need invoices?' },
        type: 'boolean',
      },
    ],
    materials: [
      {
        id: 'registrationApplication',
        name: { zh: '登记申请书', en: 'Registration application' },
        form: 'electronic',
        source: 'generated',
      },
      {
        id: 'identityProof',
        name: { zh: '法定代表人身份证明', en: 'Legal representative’s identity document' },
        form: 'copy',
        eLicenceType: 'resident-id-card',
      },
      {
        id: 'leaseContract',
        name: { zh: '住所使用证明', en: 'Proof of premises' },
        form: 'copy',
        deferrable: true,
        commitment: true,
      },
    ],
    items: [
      {
        code: 'registration',
        name: { zh: '设立登记', en: 'Registration' },
        department: 'market-regulation',
        promisedDays: 1,
        fields: [
          { field: 'companyName', required: true },
          { field: 'address', required: true },
          { field: 'legalRepName', required: true },
          { field: 'legalRepMobile', required: true, needsFull: true },
        ],
        materials: [
          { material: 'registrationApplication', required: true },
          { material: 'identityProof', required: true },
          { material: 'leaseContract', required: true },
        ],
      },
      {
        code: 'invoice',
        name: { zh: '发票申领', en: 'Invoice application' },
        department: 'tax',
        promisedDays: 1,
        condition: 'needsInvoice = true',
        after: ['registration'],
        fields: [
          { field: 'companyName', required: true },
          { field: 'legalRepMobile', required: true },
        ],
        materials: [{ material: 'identityProof', required: true }],
      },
    ],
  };
}

export function templateXml(code = 'new-bundle'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:gov="http://onething.dev/schema/bpmn/gov/1.0"
  id="${code}-definitions" targetNamespace="http://onething.dev/bundles">
  <bpmn:process id="${code}" name="新建一件事" isExecutable="true" gov:bundle="${code}">
    <bpmn:startEvent id="accepted" name="综合窗口受理"/>
    <bpmn:userTask id="registration" name="设立登记" gov:department="market-regulation" gov:item="registration" gov:timeLimit="1"/>
    <bpmn:exclusiveGateway id="invoiceNeeded" name="需要发票？" default="noInvoice"/>
    <bpmn:userTask id="invoice" name="发票申领" gov:department="tax" gov:item="invoice" gov:timeLimit="1"/>
    <bpmn:exclusiveGateway id="merge" name="汇总"/>
    <bpmn:userTask id="deliver" name="综合窗口出件" gov:department="window" gov:formView="delivery"/>
    <bpmn:endEvent id="done" name="办结"/>
    <bpmn:sequenceFlow id="toRegistration" sourceRef="accepted" targetRef="registration"/>
    <bpmn:sequenceFlow id="toInvoiceNeeded" sourceRef="registration" targetRef="invoiceNeeded"/>
    <bpmn:sequenceFlow id="yesInvoice" name="需要" sourceRef="invoiceNeeded" targetRef="invoice">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">= list contains(items, "invoice")</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="noInvoice" name="不需要" sourceRef="invoiceNeeded" targetRef="merge"/>
    <bpmn:sequenceFlow id="fromInvoice" sourceRef="invoice" targetRef="merge"/>
    <bpmn:sequenceFlow id="toDeliver" sourceRef="merge" targetRef="deliver"/>
    <bpmn:sequenceFlow id="toDone" sourceRef="deliver" targetRef="done"/>
  </bpmn:process>
</bpmn:definitions>
`;
}
