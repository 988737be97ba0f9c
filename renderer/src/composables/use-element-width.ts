import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** The live content width of an element (ResizeObserver). */
export function useElementWidth(element: Ref<HTMLElement | null>): Ref<number> {
  const width = ref(0);
  let observer: ResizeObserver | null = null;
  onMounted(() => {
    if (!element.value) return;
    width.value = element.value.clientWidth;
    observer = new ResizeObserver((entries) => {
      width.value = entries[0]?.contentRect.width ?? width.value;
    });
    observer.observe(element.value);
  });
  onBeforeUnmount(() => observer?.disconnect());
  return width;
}
