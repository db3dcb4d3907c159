// kubeconform finds a schema only by its file name, and validates only as well
// as the converted schema says: names, refs, int-or-string and strictness must
// come out as kubeconform expects, or the peer comparison measures nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeconformSchemas, mergeDefinitions, schemaFileName } from './schemas.js';
import type { OpenApiV3Document, Schema } from './schemas.js';

test('schema file names follow kubeconform\'s {{.ResourceKind}}{{.KindSuffix}}', () => {
  assert.equal(schemaFileName({ group: 'apps', version: 'v1', kind: 'Deployment' }), 'deployment-apps-v1.json');
  assert.equal(schemaFileName({ group: '', version: 'v1', kind: 'Service' }), 'service-v1.json');
  assert.equal(schemaFileName({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' }), 'networkpolicy-networking-v1.json');
  assert.equal(schemaFileName({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' }), 'horizontalpodautoscaler-autoscaling-v2.json');
});

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const apps: OpenApiV3Document = {
  components: {
    schemas: {
      'io.k8s.api.apps.v1.Deployment': {
        type: 'object',
        properties: { apiVersion: { type: 'string' }, spec: { allOf: [ref('io.k8s.api.apps.v1.DeploymentSpec')], default: {} } },
        'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
      },
      'io.k8s.api.apps.v1.DeploymentSpec': {
        type: 'object',
        required: ['replicas'],
        properties: {
          replicas: { type: 'integer' },
          maxSurge: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString'),
          // A property named like a keyword must stay a property.
          properties: { type: 'string' },
        },
      },
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
      'io.k8s.api.apps.v1.Unrelated': { type: 'object', properties: { a: { type: 'string' } } },
    },
  },
};

const extensions: OpenApiV3Document = {
  components: {
    schemas: {
      // Recursive, as JSONSchemaProps is.
      'io.k8s.Props': { type: 'object', properties: { items: ref('io.k8s.Props'), note: { type: 'string', nullable: true } } },
      'io.k8s.Definition': {
        type: 'object',
        properties: { schema: ref('io.k8s.Props') },
        'x-kubernetes-group-version-kind': [{ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' }],
      },
      // The same name in a second document is the same type: the first one is kept.
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string' },
    },
  },
};

test('each kind becomes one standalone file with only the definitions it reaches; optional fields may be null', () => {
  const files = kubeconformSchemas(mergeDefinitions([apps, extensions]), { strict: false });
  assert.deepEqual([...files.keys()].sort(), ['customresourcedefinition-apiextensions-v1.json', 'deployment-apps-v1.json']);
  const deployment = files.get('deployment-apps-v1.json') as Schema;
  assert.deepEqual(Object.keys(deployment['definitions'] as Schema), ['io.k8s.api.apps.v1.DeploymentSpec', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString']);
  assert.deepEqual((deployment['properties'] as Record<string, Schema>)['spec'], { anyOf: [{ type: 'null' }, { allOf: [{ $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentSpec' }], default: {} }] });
  const definitions = deployment['definitions'] as Record<string, Schema>;
  assert.deepEqual(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], { oneOf: [{ type: 'string' }, { type: 'integer' }] });
  const spec = definitions['io.k8s.api.apps.v1.DeploymentSpec']?.['properties'] as Schema;
  assert.deepEqual(spec['properties'], { type: ['string', 'null'] });
  assert.deepEqual(spec['replicas'], { type: 'integer' }, 'a required property may not be null');
  assert.equal(JSON.stringify(deployment).includes('#/components/'), false, 'no ref may leave the file');

  const crd = files.get('customresourcedefinition-apiextensions-v1.json') as Schema;
  const props = (crd['definitions'] as Record<string, Schema>)['io.k8s.Props'] as Schema;
  assert.deepEqual((props['properties'] as Record<string, Schema>)['items'], { anyOf: [{ type: 'null' }, { $ref: '#/definitions/io.k8s.Props' }] });
  assert.deepEqual((props['properties'] as Record<string, Schema>)['note'], { type: ['string', 'null'], nullable: true });
});

test('strict schemas forbid properties an object does not list, and leave maps alone', () => {
  const maps: OpenApiV3Document = {
    components: {
      schemas: {
        'io.k8s.api.core.v1.ConfigMap': {
          type: 'object',
          properties: { data: { type: 'object', additionalProperties: { type: 'string' } } },
          'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'ConfigMap' }],
        },
      },
    },
  };
  const configMap = kubeconformSchemas(mergeDefinitions([maps]), { strict: true }).get('configmap-v1.json') as Schema;
  assert.equal(configMap['additionalProperties'], false);
  assert.deepEqual((configMap['properties'] as Record<string, Schema>)['data'], { type: ['object', 'null'], additionalProperties: { type: 'string' } });
  const loose = kubeconformSchemas(mergeDefinitions([maps]), { strict: false }).get('configmap-v1.json') as Schema;
  assert.equal('additionalProperties' in loose, false);
});

test('a ref to a definition no document has is an error, not a schema that accepts anything', () => {
  const broken: OpenApiV3Document = {
    components: { schemas: { 'x.Kind': { properties: { a: ref('x.Missing') }, 'x-kubernetes-group-version-kind': [{ group: 'x', version: 'v1', kind: 'Kind' }] } } },
  };
  assert.throws(() => kubeconformSchemas(mergeDefinitions([broken]), { strict: true }), /x\.Kind refers to x\.Missing/);
});
