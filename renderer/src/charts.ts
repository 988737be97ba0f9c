/** ECharts, tree-shaken to what the views draw: line charts (curves) on canvas. */
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, LegendComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

/** One line of a chart: [x, y] points. */
export interface ChartSeries {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}
