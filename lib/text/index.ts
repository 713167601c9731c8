import { z } from 'zod';

/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a name or a request
 * they make text display in another order than the one stored ("Trojan Source"), so a reviewer would approve
 * something other than what they read. Nobody needs them in these fields: they are dropped on the way in.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export const withoutBidiControls = (s: string) => s.replace(BIDI_CONTROLS, '');

/** A text field people read (names, requests, reasons): trimmed, without bidirectional controls. */
export const plainText = () => z.string().overwrite(withoutBidiControls).trim();
