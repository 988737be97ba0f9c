import { createRouter, createWebHashHistory } from 'vue-router';
import DatasetView from './views/DatasetView.vue';

export const router = createRouter({
  // Hash history works the same under Electron's custom protocol and in server mode.
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/dataset' },
    { path: '/dataset', name: 'dataset', component: DatasetView },
    { path: '/label/:id?', name: 'label', component: () => import('./views/LabelView.vue') },
    { path: '/targets', name: 'targets', component: () => import('./views/TargetsView.vue') },
    { path: '/train', name: 'train', component: () => import('./views/TrainView.vue') },
    { path: '/evaluate', name: 'evaluate', component: () => import('./views/EvaluateView.vue') },
  ],
});
