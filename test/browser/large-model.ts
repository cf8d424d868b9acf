/**
 * A large BPMN model with its diagram for open-time measurements: a start event, `tasks` user
 * tasks in rows of 10 joined by sequence flows, an end event. 250 tasks make 252 shapes and
 * 251 flows (plus their labels and the root in bpmn-js: over 500 elements).
 */
export function chainModel(tasks: number): string {
  const nodes: string[] = [];
  const flows: string[] = [];
  const shapes: string[] = [];
  const edges: string[] = [];
  const pos = (i: number) => ({ x: 100 + (i % 10) * 160, y: 100 + Math.floor(i / 10) * 140 });
  const ids = ['start', ...Array.from({ length: tasks }, (_, i) => `task${i + 1}`), 'end'];
  ids.forEach((id, i) => {
    const { x, y } = pos(i);
    if (id === 'start') nodes.push(`<bpmn:startEvent id="start" name="受理"/>`);
    else if (id === 'end') nodes.push(`<bpmn:endEvent id="end" name="办结"/>`);
    else nodes.push(`<bpmn:userTask id="${id}" name="审核 ${i}" gov:department="window"/>`);
    const [w, h] = id === 'start' || id === 'end' ? [36, 36] : [100, 80];
    shapes.push(
      `<bpmndi:BPMNShape id="${id}_di" bpmnElement="${id}"><dc:Bounds x="${x}" y="${y + (80 - h) / 2}" width="${w}" height="${h}"/></bpmndi:BPMNShape>`,
    );
    if (i === 0) return;
    const from = ids[i - 1]!;
    const a = pos(i - 1);
    const fromW = from === 'start' ? 36 : 100;
    flows.push(`<bpmn:sequenceFlow id="f${i}" sourceRef="${from}" targetRef="${id}"/>`);
    edges.push(
      `<bpmndi:BPMNEdge id="f${i}_di" bpmnElement="f${i}"><di:waypoint x="${a.x + fromW}" y="${a.y + 40}"/><di:waypoint x="${x}" y="${y + 40}"/></bpmndi:BPMNEdge>`,
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:gov="http://onething.dev/schema/bpmn/gov/1.0" id="large-definitions" targetNamespace="http://onething.dev/bench">
  <bpmn:process id="large" isExecutable="true">${nodes.join('')}${flows.join('')}</bpmn:process>
  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="large">${shapes.join('')}${edges.join('')}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}
