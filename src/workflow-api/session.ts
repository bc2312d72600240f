import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BridgePlan, LegPlan } from '../sessions/providers';
import type { SessionEndReason, SessionLeg, SessionState } from '../sessions/types';
import type { TelephonyStatus } from './call';

/** The one vocabulary of the bridged-session workflow (`session-<id>`): imported by the workflow, the API and the tests. */

export const sessionWorkflowId = (sessionId: string): string => `session-${sessionId}`;

export interface SessionWorkflowInput {
  sessionId: string;
  orgId: string;
  plan: BridgePlan;
  /** Where the carrier's session webhooks reach the API. */
  webhookBaseUrl: string;
  ringTimeoutSeconds: number;
  maxDurationMinutes: number;
  /** For the live view (GET /sessions) without a read of the record. */
  caller: string;
  callee: string;
  trunk: string | null;
  userData: string | null;
  createdAt: string;
}

export interface SessionResult {
  state: 'ended';
  endReason: SessionEndReason;
}

/** A leg's status from the carrier: the caller's REST call, or the callee's `<Sip>` leg (its status callback and the `<Dial>` action). */
export interface SessionLegStatusEvent {
  leg: SessionLeg;
  providerCallSid: string;
  status: TelephonyStatus;
}

export interface SessionCallerAnsweredInput {
  providerCallSid: string;
}

/** What the caller's answered leg does next: dial the callee (its TwiML is rendered by the API), or hang up. */
export type SessionAnswer = { action: 'bridge'; callee: LegPlan; timeoutSeconds: number; timeLimitSeconds: number } | { action: 'hangup' };

export interface SessionLegState {
  providerCallSid: string | null;
  status: TelephonyStatus | null;
}

/** A state the session entered, and when (ISO 8601). */
export interface SessionTransition {
  state: SessionState;
  at: string;
}

export interface SessionLiveState {
  sessionId: string;
  state: SessionState;
  endReason: SessionEndReason | null;
  caller: string;
  callee: string;
  trunk: string | null;
  userData: string | null;
  createdAt: string;
  answeredAt: string | null;
  bridgedAt: string | null;
  endedAt: string | null;
  callerLeg: SessionLegState;
  calleeLeg: SessionLegState;
  /** Every state so far, in order: what the session went through, for the record and the tests. */
  transitions: SessionTransition[];
}

export const sessionLegStatusSignal = defineSignal<[SessionLegStatusEvent]>('sessionLegStatus');
export const sessionCallerAnsweredUpdate = defineUpdate<SessionAnswer, [SessionCallerAnsweredInput]>('sessionCallerAnswered');
export const sessionStateQuery = defineQuery<SessionLiveState>('sessionState');
