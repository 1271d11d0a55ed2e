/**
 * Verifiers: the contract a gate asks ({@link TokenVerifier}), JWT (with a secret, a public key or
 * a JWKS), RFC 7662 introspection, Login with Amazon, a verdict cache, and all of them configured
 * from environment variables.
 *
 * @module ask-sdk-account-linking/verification
 */
export type {
  SkillFamily,
  TokenVerdict,
  TokenVerifier,
  VerificationContext,
  LinkedUserOf,
  LinkedUser,
  RejectionEvidence,
} from './verifier';
export { JwtVerifier } from './jwt';
export {
  HMAC_ALGORITHMS,
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS,
  DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_JWT_MAX_TOKEN_LENGTH,
  type JwtVerifierOptions,
  type JwtSecretOptions,
  type JwtPublicKeyOptions,
  type JwtJwksOptions,
  type JwtLinkedUser,
  type JwtClaims,
  type HmacAlgorithm,
  type AsymmetricAlgorithm,
} from './jwt-options';
export { jwtVerifierFromEnvironment, verifierFromEnvironment, type Environment } from './environment';
export { JwksKeySet } from './jwks';
export {
  MAX_COPY_AGE_MS,
  DEFAULT_JWKS_REFETCH_BURST,
  DEFAULT_JWKS_COOLDOWN_MS,
  DEFAULT_JWKS_MAX_AGE_MS,
  type JwksOptions,
  type JwksKey,
  type KeySet,
  type LeftOutKey,
} from './jwks-options';
export { MIN_RSA_BITS } from './keys';
export { IntrospectionVerifier } from './introspection';
export {
  ACCESS_TOKEN_TYPES,
  NON_ACCESS_TOKEN_TYPES,
  DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH,
  type IntrospectionVerifierOptions,
  type IntrospectionResponse,
  type IntrospectedUser,
} from './introspection-options';
export {
  LoginWithAmazonVerifier,
  LWA_PROFILE_URL,
  LWA_TOKENINFO_URL,
  DEFAULT_LWA_MAX_TOKEN_LENGTH,
  type LoginWithAmazonVerifierOptions,
  type AmazonLinkedUser,
} from './lwa';
export {
  CachingVerifier,
  DEFAULT_CACHE_MAX_TTL_SECONDS,
  DEFAULT_CACHE_NEGATIVE_TTL_SECONDS,
  DEFAULT_CACHE_MAX_ENTRIES,
  type CachingVerifierOptions,
} from './cache';
