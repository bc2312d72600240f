import { defineSignal, defineUpdate } from '@temporalio/workflow';

/** The baseline workflow's vocabulary, shared by the workflow bundle and the client side of the bench. */
export const echoUpdate = defineUpdate<number, [number]>('echo');
export const echoViaActivityUpdate = defineUpdate<number, [number]>('echoViaActivity');
export const echoViaLocalActivityUpdate = defineUpdate<number, [number]>('echoViaLocalActivity');
export const finishSignal = defineSignal('finish');

export interface BaselineActivities {
  noop(n: number): Promise<number>;
}
