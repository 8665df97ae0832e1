/** A small valid shipgate.yml; tests splice a mistake into it. */
export const MINIMAL = `app:
  name: orders-api
  language: node
environments:
  staging:
    target:
      type: local
      port: 8080
`;
