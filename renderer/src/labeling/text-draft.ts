import { shallowRef, type Ref } from 'vue';

/**
 * A text field's draft: what is typed there and differs from what is stored, not yet written.
 * The labeler holds it for the image and target it was typed on, so that a move that never
 * blurs the field (Back, a link, the sidebar, another target clicked) writes it as Enter would,
 * or, when it cannot be saved, says so instead of dropping it unseen.
 */
export interface TextDraft {
  value: string;
  /** Why it cannot be written (a character outside the alphabet, too long), or null. */
  problem: string | null;
}

export interface HeldDraft extends TextDraft {
  imageId: number;
  targetId: number;
}

/** A move away refused: the draft stays on screen for the user to fix or drop. */
export const draftKept = (d: HeldDraft): string => `${d.problem} — fix it, or press Esc to drop it, before leaving this image`;

/** The image was left anyway (an undo reaching another image): the draft is gone, and said to be. */
export const draftDropped = (d: HeldDraft): string => `Image #${d.imageId}: "${d.value}" — ${d.problem}`;

/**
 * The draft of the image shown. `write` stores a valid one; `say` shows a message.
 */
export function createDraftHolder(current: Readonly<Ref<{ id: number } | null>>, write: (d: HeldDraft) => void, say: (text: string) => void) {
  const draft = shallowRef<HeldDraft | null>(null);

  /** The text field of `targetId` reports its draft (null: none, or it was written). */
  function hold(targetId: number, next: TextDraft | null): void {
    const imageId = current.value?.id;
    draft.value = next && imageId !== undefined ? { ...next, imageId, targetId } : null;
  }

  /**
   * Writes the held draft before its target or image is left by a move that did not blur its
   * field: that move is as deliberate as Enter. Returns a draft that cannot be saved (still
   * held: the caller refuses the move, or drops it saying so), or null.
   */
  function save(): HeldDraft | null {
    const d = draft.value;
    if (!d || d.imageId !== current.value?.id) return (draft.value = null);
    if (d.problem) return d;
    draft.value = null;
    write(d);
    return null;
  }

  /** The image shown is left: its draft is written, or named as not saved. */
  function leave(): void {
    const refused = save();
    if (refused) say(draftDropped(refused));
    draft.value = null;
  }

  return { draft, hold, save, leave };
}
