import { env } from '../env';

/** How many hours a token map is kept after its chain's last use (PORTICO_TOKEN_MAP_TTL_HOURS). */
export function tokenMapHours(): number {
  return env().PORTICO_TOKEN_MAP_TTL_HOURS;
}

/** A reviewer's stateful-calls decision in words, for the app page, its history and the audit log. */
export function statefulWords(on: boolean): string {
  return on
    ? `keeps encrypted token maps for stateful calls, ${tokenMapHours()} h`
    : 'stateless: no token maps kept';
}
