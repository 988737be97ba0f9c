import { createRouter, createWebHashHistory } from 'vue-router';
import DatasetView from './views/DatasetView.vue';

export const router = createRouter({
  // Hash history works the same under Electron's custom protocol and in server mode.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/dataset' },
    { path: '/dataset', name: 'dataset', component: DatasetView },
    // Where the labeler is lives in the query: #/label?queue=<queue>&image=<id> (labeling/queue.ts).
    { path: '/label', name: 'label', component: () => import('./views/LabelView.vue') },
    // Older links to one image: the image in the labeler's current queue.
    { path: '/label/:id(\\d+)', redirect: (to) => ({ name: 'label', query: { ...to.query, image: String(to.params.id) } }) },
    { path: '/targets', name: 'targets', component: () => import('./views/TargetsView.vue') },
    { path: '/train', name: 'train', component: () => import('./views/TrainView.vue') },
    { path: '/evaluate', name: 'evaluate', component: () => import('./views/EvaluateView.vue') },
  ],
});
