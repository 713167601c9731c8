'use client';

import { useEffect, useState, type RefObject } from 'react';

/**
 * Drafts of long forms, kept in this browser tab's sessionStorage (never sent anywhere, gone with the tab): when a
 * session ends while someone fills a form, signing in again brings them back to the form, filled as they left it.
 */
const PREFIX = 'portico.draft.';
type Draft = Record<string, string[]>;

function read(key: string): Draft | null {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + key);
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    return parsed && typeof parsed === 'object' ? (parsed as Draft) : null;
  } catch {
    return null;
  }
}

function save(form: HTMLFormElement, key: string) {
  const draft: Draft = {};
  for (const [name, value] of new FormData(form))
    if (typeof value === 'string' && name !== 'appId' && !name.startsWith('$'))
      (draft[name] ??= []).push(value);
  try {
    window.sessionStorage.setItem(PREFIX + key, JSON.stringify(draft));
  } catch {
    // Storage full or refused: the form works without a draft.
  }
}

/** Puts a draft's values into the form's fields (text, checkboxes and radios). */
function fill(form: HTMLFormElement, draft: Draft) {
  for (const el of Array.from(form.elements)) {
    if (!(
      el instanceof HTMLInputElement ||
      el instanceof HTMLTextAreaElement ||
      el instanceof HTMLSelectElement
    ))
      continue;
    if (!el.name || el.type === 'hidden' || el.name === 'appId') continue;
    const values = draft[el.name] ?? [];
    if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio'))
      el.checked = values.includes(el.value);
    else el.value = values[0] ?? '';
  }
}

/** Forgets a draft (the form was sent). */
export function clearDraft(key: string) {
  try {
    window.sessionStorage.removeItem(PREFIX + key);
  } catch {
    // nothing kept
  }
}

/**
 * Keeps the form's values as a draft while it is filled, and fills a fresh form from the draft it left. Returns
 * whether a draft was restored (the form says so). `skip`: the form shows values the server sent back instead.
 */
export function useDraft(ref: RefObject<HTMLFormElement | null>, key: string, skip: boolean): boolean {
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    const form = ref.current;
    if (!form) return;
    let shown: number | undefined;
    if (!skip) {
      const draft = read(key);
      if (draft && Object.keys(draft).length > 0) {
        fill(form, draft);
        // The notice renders after the fields are filled (a callback, not a render in the effect's body).
        shown = window.setTimeout(() => setRestored(true), 0);
      }
    }
    const onChange = () => save(form, key);
    form.addEventListener('input', onChange);
    form.addEventListener('change', onChange);
    return () => {
      window.clearTimeout(shown);
      form.removeEventListener('input', onChange);
      form.removeEventListener('change', onChange);
    };
    // Once per form: later answers re-mount the fields with what was sent.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ref, key]);
  return restored;
}

/** Rendered by the page a sent form leads to: the draft it kept is no longer needed. */
export function ClearDraft({ draftKey }: { draftKey: string }) {
  useEffect(() => clearDraft(draftKey), [draftKey]);
  return null;
}
