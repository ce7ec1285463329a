// Level of detail: below this zoom the canvas shows boxes and lines only (see styles.css, .zoomed-out),
// and processors and connections stop following their counters (only run state and back-pressure level).
import { useStore } from '@xyflow/react';

export const LOD_ZOOM = 0.4;

/** True when zoomed in far enough for text to be shown (re-renders only when the threshold is crossed). */
export function useDetail(): boolean {
  return useStore((s) => s.transform[2] >= LOD_ZOOM);
}
