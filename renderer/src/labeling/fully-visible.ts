import { onBeforeUnmount, onMounted, type Ref } from 'vue';

/**
 * Whether an element is wholly inside the window (and its scrolling ancestors), kept by an
 * IntersectionObserver so that asking costs no layout. The labeler asks on every Enter
 * whether the active target must be scrolled to; `scrollIntoView` alone forces a style and
 * layout pass on the key's path even when the target is already in view (the usual case).
 * Unknown (not yet reported, or no IntersectionObserver) counts as not visible, so the
 * caller scrolls as it would without this.
 */
export function useFullyVisible(element: Ref<HTMLElement | null>): () => boolean {
  let visible = false;
  let observer: IntersectionObserver | undefined;
  onMounted(() => {
    if (typeof IntersectionObserver === 'undefined' || !element.value) return;
    observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) visible = entry.intersectionRatio >= 0.999;
      },
      { threshold: [0.999] },
    );
    observer.observe(element.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return () => visible;
}
