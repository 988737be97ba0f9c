/** ECharts, tree-shaken to what the views draw: line charts (curves) and bar charts (reliability diagrams) on canvas. */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

/** One line of a chart: [x, y] points. */
export interface ChartSeries {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}
