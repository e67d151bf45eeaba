import type { OrderView } from '@pourover/orders';
import type { OrderStep } from '@pourover/schemas';
import { formatSlot, formatTime } from './format.ts';

export type Step = { label: string; at?: string | undefined; detail?: string | undefined; state: 'done' | 'now' | 'next' | 'failed' };

/** The way an order goes once the store has it, in order. */
const ahead = ['received', 'preparing', 'ready', 'outForDelivery', 'delivered'] as const;
type Ahead = (typeof ahead)[number];

const labels: { readonly [S in Ahead]: string } = {
  received: 'Received by the store',
  preparing: 'Being prepared',
  ready: 'Ready',
  outForDelivery: 'Out for delivery',
  delivered: 'Delivered',
};

const isAhead = (status: string): status is Ahead => (ahead as readonly string[]).includes(status);

/** The steps the store stamped; an order processed before steps existed has its receipt alone. */
function stepsOf(order: OrderView): readonly OrderStep[] {
  if (order.steps.length > 0 || !order.receivedTime) return order.steps;
  return [{ status: order.status === 'rejected' ? 'rejected' : 'received', at: order.receivedTime }];
}

function endOf(order: OrderView, at: string | undefined): Step[] {
  const refunded: Step[] = order.refundedTime ? [{ label: 'Refunded', at: order.refundedTime, state: 'done' }] : [];
  if (order.status === 'rejected')
    return [{ label: 'Not accepted by the store', at, detail: order.rejectReason, state: 'failed' }, ...refunded];
  const who = order.cancelledBy === 'store' ? 'Cancelled by the store' : 'Cancelled at your request';
  return [{ label: who, at, detail: order.cancelReason, state: 'failed' }, ...refunded];
}

/** The wait for the store's approval: now, with the time it ends; approved, once the order was received; or over. */
function approvalStep(order: OrderView, at: string): Step {
  if (order.status !== 'awaitingApproval') {
    const approved = order.steps.some((step) => step.status === 'received');
    return { label: approved ? 'Approved by the store' : 'Waited for the store’s approval', at, state: 'done' };
  }
  const until = order.approveBy ? ` It is answered by ${formatTime(order.approveBy)}, or not accepted and refunded.` : '';
  return { label: 'Waiting for the store’s approval', at, detail: `The store approves larger orders itself.${until}`, state: 'now' };
}

/**
 * What happened to an order so far, each step with its time, and what comes
 * next: started, placed (or waiting to be sent), waiting for the store's
 * approval (if held), received, preparing, ready, out for delivery, delivered; or cancelled or rejected with the reason and
 * the refund.
 */
export function timelineOf(order: OrderView): Step[] {
  const steps: Step[] = [{ label: 'Started', at: order.createdTime, state: 'done' }];
  if (order.status === 'draft')
    steps.push({ label: order.refusal ? 'Not placed' : 'Placed', detail: order.refusal?.reason, state: order.refusal ? 'failed' : 'next' });
  else if (order.status === 'placing')
    steps.push({ label: 'Placed on this device', detail: 'It is sent to the store as soon as this device is online.', state: 'now' });
  else steps.push({ label: 'Placed', at: order.placedTime, state: 'done' });

  let reached = -1;
  for (const step of stepsOf(order)) {
    if (step.status === 'cancelled' || step.status === 'rejected') return [...steps, ...endOf(order, step.at)];
    if (step.status === 'awaitingApproval') {
      steps.push(approvalStep(order, step.at));
      continue;
    }
    if (!isAhead(step.status)) continue;
    reached = ahead.indexOf(step.status);
    const onTheWay = step.status === 'outForDelivery' && order.status === 'outForDelivery';
    steps.push({ label: labels[step.status], at: step.at, detail: onTheWay ? 'Your driver is on the way.' : undefined, state: 'done' });
  }
  if (order.status === 'cancelled' || order.status === 'rejected') return [...steps, ...endOf(order, undefined)];
  const waiting = order.status === 'placed';
  for (const status of ahead.slice(reached + 1)) {
    const delivery = status === 'delivered' ? (order.slot ? formatSlot(order.slot) : 'Choose a delivery slot') : undefined;
    steps.push({ label: labels[status], detail: delivery, state: waiting && status === 'received' ? 'now' : 'next' });
  }
  return steps;
}
