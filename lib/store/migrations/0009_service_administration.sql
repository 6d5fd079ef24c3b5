-- Running the service in the app: a centre's quality contact (who approves its portal accounts) and whether
-- it is a university; accounts that must change a one-time password, and when a centre account was approved.
ALTER TABLE centres ADD COLUMN quality_contact VARCHAR;
ALTER TABLE centres ADD COLUMN quality_contact_email VARCHAR;
ALTER TABLE centres ADD COLUMN is_hei BOOLEAN DEFAULT FALSE;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;
ALTER TABLE users ADD COLUMN approved_at TIMESTAMP;
-- Reference data edited in the app: a qualification the service no longer assesses stays for its history.
ALTER TABLE qualifications ADD COLUMN assessed BOOLEAN DEFAULT TRUE;
