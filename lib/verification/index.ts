/**
 * Verifiers: the contract a gate asks ({@link TokenVerifier}), JWT (with a secret, a public key or
 * a JWKS), RFC 7662 introspection, Login with Amazon, a verdict cache, and all of them configured
 * from environment variables.
 *
 * @module ask-sdk-account-linking/verification
 */
export type { SkillFamily, TokenVerdict, TokenVerifier, VerificationContext, LinkedUserOf, LinkedUser, RejectionEvidence } from './verifier';
export {
  JwtVerifier,
  HMAC_ALGORITHMS,
  ASYMMETRIC_ALGORITHMS,
  DEFAULT_SELF_EVIDENT_EXPIRY_SECONDS,
  DEFAULT_JWT_CLOCK_TOLERANCE_SECONDS,
  type JwtVerifierOptions,
  type JwtSecretOptions,
  type JwtPublicKeyOptions,
  type JwtJwksOptions,
  type JwtLinkedUser,
  type JwtClaims,
  type HmacAlgorithm,
  type AsymmetricAlgorithm,
} from './jwt';
export { jwtVerifierFromEnvironment, verifierFromEnvironment, type Environment } from './environment';
export { JwksKeySet, MIN_RSA_BITS, MAX_COPY_AGE_MS, type JwksOptions, type JwksKey, type KeySet, type LeftOutKey } from './jwks';
export {
  IntrospectionVerifier,
  ACCESS_TOKEN_TYPES,
  NON_ACCESS_TOKEN_TYPES,
  DEFAULT_INTROSPECTION_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_INTROSPECTION_MAX_TOKEN_LENGTH,
  type IntrospectionVerifierOptions,
  type IntrospectionResponse,
  type IntrospectedUser,
} from './introspection';
export { LoginWithAmazonVerifier, LWA_PROFILE_URL, LWA_TOKENINFO_URL, DEFAULT_LWA_MAX_TOKEN_LENGTH, type LoginWithAmazonVerifierOptions, type AmazonLinkedUser } from './lwa';
export { CachingVerifier, type CachingVerifierOptions } from './cache';
