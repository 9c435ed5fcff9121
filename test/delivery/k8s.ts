/** Schema validation of rendered objects with kubernetes-models (OpenAPI schemas of the real APIs). */
import { Deployment } from 'kubernetes-models/apps/v1';
import { PersistentVolumeClaim, Service, ServiceAccount } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { AppProject, Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = {
  'apps/v1/Deployment': Deployment as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Model,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as Model,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Model,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as Model,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as Model,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as Model,
  'argoproj.io/v1alpha1/Application': Application as unknown as Model,
  'argoproj.io/v1alpha1/AppProject': AppProject as unknown as Model,
};

/** Throws with the schema errors; an apiVersion/kind without a model is an error too. */
export function validateObject(obj: { apiVersion?: unknown; kind?: unknown }): void {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const model = MODELS[key];
  if (!model) throw new Error(`no schema for ${key}`);
  new model(obj as never).validate();
}
